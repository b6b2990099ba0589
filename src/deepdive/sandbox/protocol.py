"""The runner's wire protocol: length-prefixed JSON frames over a Unix socket or TCP.

A client opens a connection per run and sends one frame, `{"op": ..., "token": ...}`:

* `{"op": "ping"}` -> `{"type": "pong", "info": RunnerInfo}`
* `{"op": "run", "request": RunRequest, "owner": "learner-7"}` -> `queued`* `started` `result`
  frames (see `events`), or `{"type": "error", "reason": ..., "message": ...}`. `owner` (optional)
  names the learner the run is for, so that learners share the workers fairly. `reason` is
  "refused" (the request itself is invalid: sending it again will not help), "busy" (the owner
  already has all the runs a learner may have) or "failed" (anything else).
* For session runs the client then sends `{"type": "command", "command": SessionCommand}`
  frames and receives `session` frames until the `result`.

`token` is required on TCP (and on a Unix socket when the runner has one). Runner URLs look like
`unix:///path/to/runner.sock` or `tcp://host:port`.
"""

from __future__ import annotations

import asyncio
import json
import struct
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_FRAME = 32 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


@dataclass(frozen=True)
class RunnerAddress:
    scheme: str  # "unix" or "tcp"
    path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, url: str) -> RunnerAddress:
        parts = urlsplit(url)
        if parts.scheme == "unix" and parts.path:
            return cls("unix", path=parts.path)
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            return cls("tcp", host=parts.hostname, port=parts.port)
        raise ValueError(
            f"not a runner URL: {url!r} (expected unix:///path/to/socket or tcp://host:port)"
        )

    def __str__(self) -> str:
        return f"unix://{self.path}" if self.scheme == "unix" else f"tcp://{self.host}:{self.port}"


async def read_frame(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next frame, or None at a clean end of stream."""
    try:
        header = await reader.readexactly(_LENGTH.size)
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise ProtocolError("connection closed inside a frame header") from None
        return None
    (length,) = _LENGTH.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes is larger than {MAX_FRAME}")
    try:
        data = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise ProtocolError("connection closed inside a frame") from None
    try:
        frame = json.loads(data)
    except ValueError as error:
        raise ProtocolError(f"frame is not JSON: {error}") from None
    if not isinstance(frame, dict):
        raise ProtocolError("frame is not a JSON object")
    return frame


def encode_frame(frame: dict[str, Any] | str) -> bytes:
    data = (frame if isinstance(frame, str) else json.dumps(frame)).encode()
    if len(data) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(data)} bytes is larger than {MAX_FRAME}")
    return _LENGTH.pack(len(data)) + data


async def write_frame(writer: asyncio.StreamWriter, frame: dict[str, Any] | str) -> None:
    writer.write(encode_frame(frame))
    await writer.drain()
