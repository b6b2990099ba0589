"""The private channel between the runner and one sandboxed process.

Two parts:

* a shared memory region (a memfd) that carries the run request in and the result out. The
  sandbox maps it and closes the descriptor, keeping no duplicate, and the mapping is not
  inherited by processes the learner forks (`MADV_DONTFORK`): printing, closing every descriptor
  or forking cannot touch it. A payload is written first and its header (magic + length) last,
  so a half-written payload is never read.
* a `SOCK_SEQPACKET` socket pair for short control messages (one JSON object per packet):
  "ready", "run", "done" and the session traffic. Packets keep their boundaries, so bytes a
  learner's process might write into the socket cannot corrupt a message; anything that is not a
  valid message is ignored.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any

from deepdive.sandbox.isolation import libc

REGION_BYTES = 24 * 1024 * 1024
MAX_MESSAGE = 192 * 1024

_MAGIC = b"DDR1"
_HEADER = struct.Struct("<4sIQ")


class PayloadError(Exception):
    """The region holds no complete payload."""


def create_region() -> int:
    """A fresh memfd of `REGION_BYTES` (sparse: untouched pages cost nothing)."""
    fd = os.memfd_create("deepdive-sandbox", os.MFD_CLOEXEC)
    os.ftruncate(fd, REGION_BYTES)
    return fd


def write_payload_fd(fd: int, payload: bytes) -> None:
    """Runner side: store `payload` in the region behind `fd`."""
    if len(payload) > REGION_BYTES - _HEADER.size:
        raise PayloadError(f"payload of {len(payload)} bytes does not fit the region")
    os.pwrite(fd, b"\0" * _HEADER.size, 0)
    os.pwrite(fd, payload, _HEADER.size)
    os.pwrite(fd, _HEADER.pack(_MAGIC, 0, len(payload)), 0)


def read_payload_fd(fd: int) -> bytes:
    """Runner side: the payload the sandbox stored, or PayloadError."""
    magic, _, length = _HEADER.unpack(os.pread(fd, _HEADER.size, 0))
    if magic != _MAGIC or length > REGION_BYTES - _HEADER.size:
        raise PayloadError("no result in the region")
    data = os.pread(fd, length, _HEADER.size)
    if len(data) != length:
        raise PayloadError("truncated result")
    return data


class MappedRegion:
    """Sandbox side: the region mapped into memory; the descriptor is closed right away, and no
    duplicate of it is kept (processes the learner forks could write through one)."""

    def __init__(self, fd: int) -> None:
        self._map = libc.map_shared(fd, REGION_BYTES)
        os.close(fd)

    def read(self) -> bytes:
        magic, _, length = _HEADER.unpack_from(self._map, 0)
        if magic != _MAGIC or length > REGION_BYTES - _HEADER.size:
            raise PayloadError("no request in the region")
        data = bytes(self._map[_HEADER.size : _HEADER.size + length])
        self._map[0 : _HEADER.size] = b"\0" * _HEADER.size
        return data

    def write(self, payload: bytes) -> None:
        if len(payload) > REGION_BYTES - _HEADER.size:
            raise PayloadError(f"result of {len(payload)} bytes does not fit the region")
        self._map[0 : _HEADER.size] = b"\0" * _HEADER.size
        self._map[_HEADER.size : _HEADER.size + len(payload)] = payload
        self._map[0 : _HEADER.size] = _HEADER.pack(_MAGIC, 0, len(payload))


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """(runner end, sandbox end) of a new control socket pair."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


def encode(message: dict[str, Any]) -> bytes:
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE:
        raise ValueError(f"control message of {len(data)} bytes is too large")
    return data


def decode(packet: bytes) -> dict[str, Any] | None:
    """The message in `packet`, or None for anything that is not a JSON object with a type."""
    try:
        message = json.loads(packet)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(message, dict) and isinstance(message.get("type"), str):
        return message
    return None
