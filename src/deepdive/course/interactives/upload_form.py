"""`upload-form`: the learner picks (or drops) a real file and fills in the form's fields; the
file is sent as real multipart to their endpoint in the sandbox, and the widget shows what the
endpoint received (measured there by the `uploads` instrument) beside its response."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import InteractiveBase, Strict, WalkRun
from deepdive.sandbox.run_request import HttpRequest, UploadedFile

# Upload sizes the widget refuses before any run (the server refuses them too).
MAX_UPLOAD_KIB = 5 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_LINE = b"A line of plain text, repeated to the size asked for.\n"


class FormField(Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
    label: str = Field(min_length=1, max_length=60)
    value: str = Field(default="", max_length=500, description="What the field starts with")


class Sample(Strict):
    """A file the widget can make with one click (the learner can also pick their own)."""

    label: str = Field(min_length=1, max_length=60)
    filename: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    content: Literal["png", "text", "binary", "empty"] = "png"
    size_kib: int = Field(default=4, ge=0, le=MAX_UPLOAD_KIB)

    def data(self) -> bytes:
        """The sample's bytes; `static/js/widgets/upload-form/samples.js` makes the same."""
        size = self.size_kib * 1024
        if self.content == "empty":
            return b""
        if self.content == "png":
            return (_PNG_SIGNATURE + bytes(size))[:size] if size else _PNG_SIGNATURE
        if self.content == "text":
            return bytes(itertools.islice(itertools.cycle(_TEXT_LINE), size))
        return bytes(itertools.islice(itertools.cycle(range(256)), size))


class Endpoint(Strict):
    method: str = Field(default="POST", pattern=r"^[A-Z]{3,7}$")
    path: str = Field(pattern=r"^/", max_length=200)
    file_field: str = Field(default="file", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")


class UploadFormOptions(Strict):
    endpoint: Endpoint
    fields: list[FormField] = Field(default_factory=list, max_length=6)
    samples: list[Sample] = Field(min_length=1, max_length=12)


class UploadForm(InteractiveBase):
    kind: Literal["upload-form"]
    options: UploadFormOptions

    instruments: ClassVar[tuple[str, ...]] = ("uploads",)
    summary: ClassVar[str] = (
        "A file picker (or drop zone) and form fields; the file is sent as real multipart to "
        "the learner's endpoint, and the widget shows what it received: name, content type as "
        "sent and as sniffed, size, the fields, and whether the spooled file went to disk."
    )

    @property
    def max_upload_kib(self) -> int:
        return MAX_UPLOAD_KIB

    def sample_request(self, sample: Sample) -> HttpRequest:
        endpoint = self.options.endpoint
        upload = UploadedFile(
            field=endpoint.file_field,
            filename=sample.filename,
            content_type=sample.content_type,
            content_base64=base64.b64encode(sample.data()).decode(),
        )
        form = {field.name: field.value for field in self.options.fields}
        return HttpRequest(method=endpoint.method, path=endpoint.path, form=form, files=[upload])

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = []
        for name, relative in (("starter", self.starter), ("solution", self.solution)):
            if relative is None:
                continue
            for sample in self.options.samples:
                runs.append(
                    WalkRun(
                        description=f"{name} {relative} · {sample.label}",
                        code=sources[relative],
                        requests=[self.sample_request(sample)],
                        instruments=list(self.instruments),
                        file=relative,
                    )
                )
        return runs
