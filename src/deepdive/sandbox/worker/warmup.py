"""Warming up a fresh sandbox before any learner code arrives.

A forked process shares its memory with the runner until it writes to it; the first run in a
cold process pays for those copy-on-write faults, lazy imports and first-use caches. Running a
small app through exactly the code paths of a real run makes the learner's run as fast as the
second run of a long-lived process.

Where the kernel can copy pages ahead (see `deepdive.sandbox.hot_pages`), app sandboxes do that
instead, and the warm-up app runs once per runner, in the probe that finds those pages.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import sys

from deepdive.sandbox.instruments import Instruments, RunContext
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker import app_run, loader
from deepdive.sandbox.worker.asgi import Lifespan, Recorder
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.tracebacks import error_info

_SOURCE = """
from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

app = FastAPI(title="warm-up")


class Book(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(default=2000, ge=1000, le=2100)
    genre: str | None = None


def pagination(limit: int = Query(default=10, le=100)) -> int:
    return limit


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "hello"}


@app.get("/books/{book_id}")
async def read_book(book_id: int, limit: int = Depends(pagination)) -> dict[str, int]:
    if book_id == 0:
        raise HTTPException(status_code=404, detail="no such book")
    return {"id": book_id, "limit": limit}


@app.post("/books", status_code=201)
def create_book(book: Book) -> Book:
    return book


@app.get("/boom")
def boom() -> None:
    raise ValueError("warm-up")
"""
_REQUESTS = [
    HttpRequest(path="/"),
    HttpRequest(path="/books/3", query={"limit": "5"}),
    HttpRequest(path="/books/0"),
    HttpRequest(
        method="POST",
        path="/books",
        json_body={"title": "Warm", "year": 2001},
        capture={"year": "json.year"},
    ),
    HttpRequest(path="/books/{{year}}", headers={"X-Seen": "{{year}}"}),
    HttpRequest(method="POST", path="/books", json_body={"title": "", "year": "x"}),
    HttpRequest(path="/boom"),
]


def app(loop: asyncio.AbstractEventLoop, directory: str, *, rarer_paths: bool = True) -> None:
    """Import a small app and send it a handful of requests, like a real app run; with
    `rarer_paths`, also build its OpenAPI document and describe a syntax error."""
    loop.run_until_complete(app_async(directory, rarer_paths=rarer_paths))


async def app_async(directory: str, *, rarer_paths: bool = True) -> None:
    """`app`, for a caller that already runs an event loop (the runner warms itself up too)."""
    files = LearnerFiles(directory)
    # As a sandbox receives it: JSON, validated.
    request = RunRequest.model_validate_json(
        RunRequest(code=_SOURCE, filename="warm_app.py", requests=_REQUESTS).model_dump_json()
    )
    instruments = Instruments([], RunContext(request, files))
    files.write_request(request)
    try:
        module = loader.import_module(request, files)
        application = loader.find_app(module, request)
        await _drive(Recorder(application), request, instruments, files)
        if rarer_paths:
            application.openapi()
            try:
                compile("def broken(:\n", files.path_of("warm_app.py"), "exec")
            except SyntaxError as exc:
                error_info(exc, files)
    finally:
        sys.modules.pop("warm_app", None)
        if directory in sys.path:
            sys.path.remove(directory)
        shutil.rmtree(directory, ignore_errors=True)


async def _drive(
    application: Recorder, request: RunRequest, instruments: Instruments, files: LearnerFiles
) -> list[HttpResponse]:
    lifespan = Lifespan(application)
    await lifespan.startup()
    async with app_run.client_for(application) as client:
        responses = await app_run.send_all(
            client, request.requests, concurrent=False, instruments=instruments, files=files
        )
    await lifespan.shutdown()
    return responses


async def preheat_runner(directory: str, *, tests: bool) -> None:
    """Warm the runner process itself before it forks any sandbox.

    Lazy imports and first-use caches then happen once, in the runner, instead of in every
    sandbox: a fresh sandbox warms up in tens of milliseconds instead of hundreds.
    """
    from deepdive.sandbox.worker import test_run
    from deepdive.sandbox.worker.guard import Guard
    from deepdive.sandbox.worker.output import CappedStream

    await app_async(os.path.join(directory, "app"))
    if tests:
        files = LearnerFiles(os.path.join(directory, "code"))
        guard = Guard(files, lambda _: None)
        streams = (CappedStream(1, 1 << 20, guard), CappedStream(2, 1 << 20, guard))
        test_run.warm_up(streams, files, os.path.join(directory, "tests"))
    # inspect.getmodule() scans every module once and caches the result; pytest calls it on
    # the first failing test, so the scan is better done here than in each sandbox.
    inspect.getmodule(compile("0", os.path.join(directory, "none.py"), "eval"))
