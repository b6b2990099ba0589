"""The `uploads` instrument: what an endpoint received as files, measured in the sandbox."""

from __future__ import annotations

import base64

import pytest

from deepdive.sandbox.instruments.uploads import sniff
from deepdive.sandbox.run_request import HttpRequest, RunRequest, UploadedFile

APP = """
from typing import Annotated

from fastapi import FastAPI, Form, UploadFile

app = FastAPI()


@app.post("/whole")
async def whole(file: UploadFile, description: Annotated[str, Form()]) -> dict:
    data = await file.read()
    return {"size": len(data)}


@app.post("/chunks")
async def chunks(file: UploadFile, description: Annotated[str, Form()]) -> dict:
    size = 0
    while chunk := await file.read(64 * 1024):
        size += len(chunk)
    return {"size": size}
"""

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def _upload(path: str, content: bytes, filename: str = "cover.png", sent_type: str = "image/png"):
    return HttpRequest(
        method="POST",
        path=path,
        form={"description": "A cover"},
        files=[
            UploadedFile(
                filename=filename,
                content_type=sent_type,
                content_base64=base64.b64encode(content).decode(),
            )
        ],
    )


def _seen(run_in_sandbox, *requests: HttpRequest) -> list[dict]:
    result = run_in_sandbox(RunRequest(code=APP, requests=list(requests), instruments=["uploads"]))
    assert result.outcome == "ok", result.message
    return result.instrumentation["uploads"]["requests"]


def test_a_small_file_stays_in_memory_and_is_sniffed_from_its_bytes(run_in_sandbox):
    (entry,) = _seen(run_in_sandbox, _upload("/whole", PNG, "notes.txt", "text/plain"))
    (seen,) = entry["files"]
    assert seen["filename"] == "notes.txt"
    assert seen["content_type"] == "text/plain"
    assert seen["sniffed"] == "image/png"
    assert seen["size"] == len(PNG)
    assert seen["rolled_to_disk"] is False
    assert entry["fields"] == {"description": "A cover"}


def test_a_file_over_the_spool_limit_rolled_to_disk(run_in_sandbox):
    (entry,) = _seen(run_in_sandbox, _upload("/whole", PNG + bytes(2 * 1024 * 1024)))
    (seen,) = entry["files"]
    assert seen["rolled_to_disk"] is True
    assert seen["size"] > seen["spool_max_size"]


def test_reading_in_chunks_peaks_far_below_reading_it_whole(run_in_sandbox):
    big = PNG + bytes(3 * 1024 * 1024)
    whole, chunks = _seen(run_in_sandbox, _upload("/whole", big), _upload("/chunks", big))
    assert whole["peak_endpoint_kib"] > 3 * 1024
    assert chunks["peak_endpoint_kib"] < 512


def test_path_separators_and_long_names_reach_the_endpoint_as_sent(run_in_sandbox):
    name = "../" * 3 + "x" * 990
    (entry,) = _seen(run_in_sandbox, _upload("/whole", b"", name, "application/octet-stream"))
    (seen,) = entry["files"]
    assert seen["filename"] == name
    assert seen["sniffed"] == "empty"
    assert seen["size"] == 0


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"%PDF-1.7", "application/pdf"),
        (b'{"a": 1}', "application/json"),
        ("caf\u00e9".encode(), "text/plain"),
        (b"\x00\x01\x02", "application/octet-stream"),
    ],
)
def test_sniffing_reads_the_first_bytes(head, kind):
    assert sniff(head) == kind
