"""Capped capture of what the learner's code prints.

`sys.stdout`/`sys.stderr` become `CappedStream`s: the first `cap` bytes are kept, and the write
that crosses the cap trips the guard (outcome `output_limit`). Output written straight to file
descriptors 1 and 2 (C code, child processes) lands in an in-memory file bounded by the
file-size limit and is appended to stdout afterwards.
"""

from __future__ import annotations

import codecs
import io
import os

from deepdive.sandbox.worker.guard import Guard


def truncation_marker(kept: int, total: int) -> str:
    return f"\n[output truncated: showing the first {_size(kept)} of {_size(total)}]\n"


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"


class CappedStream(io.TextIOBase):
    """A text stream that keeps at most `cap` bytes (UTF-8) and trips the guard beyond.

    Like the `sys.stdout` of a terminal, it has a binary `buffer` (bytes written there are
    decoded as UTF-8 and kept in order with the text) and takes `reconfigure()`."""

    def __init__(self, fd: int, cap: int, guard: Guard) -> None:
        super().__init__()
        self._fd = fd
        self.cap = cap
        self._guard = guard
        self._parts: list[str] = []
        self._kept = 0
        self.total = 0
        self._chars = 0
        self.buffer = _CappedBytes(self)

    def reconfigure(
        self,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
        line_buffering: bool | None = None,
        write_through: bool | None = None,
    ) -> None:
        """Accepted as `io.TextIOWrapper.reconfigure` is (output is kept, never buffered)."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "replace"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def flush(self) -> None:
        return None

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        size = len(text.encode("utf-8", "replace"))
        self.total += size
        room = self.cap - self._kept
        if size <= room:
            self._keep(text, size)
            return len(text)
        if room > 0:
            head = text.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
            self._keep(head, room)
        self._guard.trip("output")

    def _keep(self, text: str, size: int) -> None:
        self._parts.append(text)
        self._kept += size
        self._chars += len(text)

    @property
    def truncated(self) -> bool:
        return self.total > self._kept

    def position(self) -> int:
        """How many characters were kept so far (to slice one test's output later)."""
        return self._chars

    def text(self) -> str:
        return "".join(self._parts)

    def add_raw(self, data: bytes) -> None:
        """Append output that bypassed the stream (file descriptor writes), within the cap."""
        if not data:
            return
        self.total += len(data)
        room = self.cap - self._kept
        if room > 0:
            text = data[:room].decode("utf-8", "replace")
            self._keep(text, min(len(data), room))

    def value(self) -> tuple[str, bool]:
        """The kept text, with a truncation marker when something was dropped."""
        text = self.text()
        if self.truncated:
            text += truncation_marker(self._kept, self.total)
        return text, self.truncated


class _CappedBytes(io.BufferedIOBase):
    """`CappedStream.buffer`: bytes decoded as UTF-8 (a character split across two writes is
    joined) and kept by the text stream, within the same cap."""

    def __init__(self, text: CappedStream) -> None:
        super().__init__()
        self._text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._text.fileno()

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = memoryview(data).nbytes
        text = self._decoder.decode(bytes(data))
        if text:
            self._text.write(text)
        return size

    def flush(self) -> None:
        return None


class RawOutput:
    """Descriptors 1 and 2 pointed at one in-memory file."""

    def __init__(self) -> None:
        self._fd = os.memfd_create("output")
        os.dup2(self._fd, 1)
        os.dup2(self._fd, 2)

    def read(self, limit: int) -> bytes:
        try:
            return os.pread(self._fd, limit, 0)
        except OSError:  # the learner's code closed it
            return b""

    def size(self) -> int:
        try:
            return os.fstat(self._fd).st_size
        except OSError:
            return 0
