"""`uploads`: what an endpoint received as uploaded files, and how much memory it used.

For every request the engine sent, the result lists each `UploadFile` Starlette built while
parsing the multipart body: the file name and content type as the client sent them, the content
type the first bytes really look like (`sniffed`), the size, and whether Starlette's spooled
temporary file had rolled over from memory to a file on disk when the endpoint was called (read
from the `SpooledTemporaryFile` itself, never guessed from the size). The form's plain fields
are listed as received. `peak_endpoint_kib` is the peak of Python memory allocated while the
endpoint function ran (measured with `tracemalloc`), which shows whether it read the whole file
at once or in chunks.

Two things are wrapped for the run: `UploadFile.__init__` (to see each file as it is created) and
`fastapi.routing.run_endpoint_function` (to look at the files and measure memory around the
endpoint). Nothing else is touched.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register

# The first bytes of common formats, and the content type they mean.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"RIFF", "application/octet-stream"),  # refined below for WebP
)
_HEAD = 512
MAX_FIELD_CHARS = 300


def sniff(head: bytes) -> str:
    """The content type the first bytes of a file point to ("empty" for no bytes)."""
    if not head:
        return "empty"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as problem:
        # A multibyte character cut at the end of the sample is still text.
        if problem.start < len(head) - 3:
            return "application/octet-stream"
        text = head[: problem.start].decode("utf-8")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "application/json"
    if stripped.startswith("<svg") or "<svg" in stripped[:200]:
        return "image/svg+xml"
    return "text/plain"


class UploadSeen(ResultShape):
    field: str | None = Field(description="The form field it came in")
    filename: str | None = Field(description="The file name as the client sent it")
    content_type: str | None = Field(description="The content type as the client sent it")
    sniffed: str = Field(description="The content type its first bytes point to")
    size: int | None
    rolled_to_disk: bool | None = Field(
        description="Whether the spooled temporary file was on disk when the endpoint ran"
    )
    spool_max_size: int | None = Field(description="The spooled file's in-memory limit")


class UploadEntry(ResultShape):
    request: int
    files: list[UploadSeen]
    fields: dict[str, str]
    endpoint_ran: bool
    peak_endpoint_kib: float | None = Field(
        default=None, description="Peak Python memory allocated while the endpoint ran"
    )


class UploadsResult(ResultShape):
    requests: list[UploadEntry]


@register
class Uploads(Instrument):
    name = "uploads"
    result_model = UploadsResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requests: dict[int, dict[str, Any]] = {}
        self._restore: list[tuple[Any, str, Any]] = []

    def before_import(self) -> None:
        import fastapi.routing as routing
        from starlette.datastructures import UploadFile

        original_init = UploadFile.__init__
        instrument = self

        def recording_init(upload: Any, *args: Any, **kwargs: Any) -> None:
            original_init(upload, *args, **kwargs)
            entry = instrument._entry()
            if entry is not None:
                entry["uploads"].append(upload)

        self._patch(UploadFile, "__init__", recording_init)
        original_run = routing.run_endpoint_function

        async def run_endpoint_function(**kwargs: Any) -> Any:
            entry = self._entry()
            if entry is None:
                return await original_run(**kwargs)
            entry["endpoint_ran"] = True
            entry["files"] = [_describe(upload) for upload in entry["uploads"]]
            entry["fields"] = _fields(kwargs.get("values") or {})
            started_here = not tracemalloc.is_tracing()
            if started_here:
                tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            try:
                return await original_run(**kwargs)
            finally:
                peak = tracemalloc.get_traced_memory()[1]
                entry["peak_endpoint_kib"] = round(max(peak - base, 0) / 1024, 1)
                if started_here:
                    tracemalloc.stop()

        self._patch(routing, "run_endpoint_function", run_endpoint_function)

    def result(self) -> Any:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()
        requests = []
        for index in sorted(self._requests):
            entry = self._requests[index]
            files = (
                entry["files"] if entry["endpoint_ran"] else list(map(_describe, entry["uploads"]))
            )
            requests.append(
                {
                    "request": index,
                    "files": files,
                    "fields": entry["fields"],
                    "endpoint_ran": entry["endpoint_ran"],
                    "peak_endpoint_kib": entry["peak_endpoint_kib"],
                }
            )
        return {"requests": requests}

    def _patch(self, owner: Any, attribute: str, replacement: Any) -> None:
        self._restore.append((owner, attribute, getattr(owner, attribute)))
        setattr(owner, attribute, replacement)

    def _entry(self) -> dict[str, Any] | None:
        exchange = self.context.exchange()
        if exchange is None:
            return None
        entry = self._requests.get(exchange.index)
        if entry is None:
            entry = {"uploads": [], "files": [], "fields": {}, "endpoint_ran": False}
            entry["peak_endpoint_kib"] = None
            self._requests[exchange.index] = entry
        return entry


def _describe(upload: Any) -> dict[str, Any]:
    spooled = upload.file
    head = b""
    try:
        if not spooled.closed:
            position = spooled.tell()
            spooled.seek(0)
            head = spooled.read(_HEAD)
            spooled.seek(position)
    except (OSError, ValueError):
        head = b""
    headers = getattr(upload, "headers", None)
    disposition = headers.get("content-disposition", "") if headers is not None else ""
    field = _field_name(disposition)
    rolled = getattr(spooled, "_rolled", None)
    max_size = getattr(spooled, "_max_size", None)
    return {
        "field": field,
        "filename": upload.filename,
        "content_type": headers.get("content-type") if headers is not None else None,
        "sniffed": sniff(head),
        "size": upload.size,
        "rolled_to_disk": rolled if isinstance(rolled, bool) else None,
        "spool_max_size": max_size if isinstance(max_size, int) else None,
    }


def _field_name(disposition: str) -> str | None:
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "name":
            return value.strip('"')
    return None


def _fields(values: dict[str, Any]) -> dict[str, str]:
    """The endpoint's plain (non-file) arguments, as text."""
    from starlette.datastructures import UploadFile

    out = {}
    for name, value in values.items():
        if isinstance(value, (str, int, float, bool)) and not isinstance(value, UploadFile):
            text = str(value)
            out[name] = text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"
    return out
