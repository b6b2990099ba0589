"""App runs: the learner's app answers real HTTP requests inside the sandbox."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from deepdive.sandbox.run_request import HttpRequest, RunRequest, UploadedFile

BOOKS = """
from fastapi import FastAPI, File, Form, Header, UploadFile
from pydantic import BaseModel, Field

app = FastAPI()


class Book(BaseModel):
    title: str = Field(min_length=1)
    year: int = Field(ge=1000, le=2100)


@app.get("/")
def root():
    return {"message": "hello"}


@app.get("/books/{book_id}")
def read_book(book_id: int, q: str | None = None, x_token: str | None = Header(default=None)):
    return {"id": book_id, "q": q, "token": x_token}


@app.post("/books", status_code=201)
def create_book(book: Book):
    return book


@app.post("/upload")
async def upload(file: UploadFile = File(...), description: str = Form(...)):
    data = await file.read()
    return {"name": file.filename, "size": len(data), "type": file.content_type,
            "description": description}


@app.post("/echo")
async def echo(body: dict):
    return body
"""


def test_get_returns_status_headers_and_json(run_in_sandbox):
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[HttpRequest(path="/")]))
    assert result.outcome == "ok"
    (response,) = result.responses
    assert response.status == 200
    assert response.reason == "OK"
    assert ("content-type", "application/json") in response.headers
    assert response.json_body == {"message": "hello"}
    assert response.elapsed_ms > 0


def test_path_query_and_header_reach_the_endpoint(run_in_sandbox):
    request = HttpRequest(path="/books/7", query={"q": "dune"}, headers={"X-Token": "abc"})
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[request]))
    assert result.responses[0].json_body == {"id": 7, "q": "dune", "token": "abc"}


def test_a_query_string_in_the_path_is_kept_beside_the_query_fields(run_in_sandbox):
    request = HttpRequest(path="/books/7?q=dune", headers={"X-Token": "abc"})
    merged = HttpRequest(path="/books/8?x=1", query={"q": "emma"})
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[request, merged]))
    assert result.responses[0].json_body == {"id": 7, "q": "dune", "token": "abc"}
    assert result.responses[1].json_body == {"id": 8, "q": "emma", "token": None}


def test_a_header_no_real_client_could_send_is_not_sent_and_says_why(run_in_sandbox):
    requests = [
        HttpRequest(path="/books/1", headers={"X Token": "abc"}),
        HttpRequest(path="/books/2", headers={"X-Token": "abc\r\nX-Admin: yes"}),
        HttpRequest(path="/books/3", headers={"X-Token": "caf\u00e9"}),
        HttpRequest(path="/books/4", headers={"X-Token": "abc"}),
    ]
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=requests))
    spaced, broken, accented, sent = result.responses
    assert "'X Token' is not one HTTP can carry" in spaced.skipped
    assert "holds a line break" in broken.skipped
    assert "'\u00e9'" in accented.skipped
    assert sent.skipped is None
    assert sent.json_body["token"] == "abc"
    assert result.outcome == "ok"
    assert result.message == "Your app answered 1 request; 3 were not sent (each says why)."


def test_json_body_is_validated_by_the_learners_model(run_in_sandbox):
    good = HttpRequest(method="POST", path="/books", json_body={"title": "Dune", "year": 1965})
    bad = HttpRequest(method="POST", path="/books", json_body={"title": "", "year": 500})
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[good, bad]))
    assert [r.status for r in result.responses] == [201, 422]
    errors = result.responses[1].json_body["detail"]
    assert {tuple(e["loc"]) for e in errors} == {("body", "title"), ("body", "year")}


def test_multipart_upload_with_form_field(run_in_sandbox):
    upload = UploadedFile(
        field="file",
        filename="cover.png",
        content_type="image/png",
        content_base64=base64.b64encode(b"\x89PNG" + b"\0" * 96).decode(),
    )
    request = HttpRequest(
        method="POST", path="/upload", form={"description": "a cover"}, files=[upload]
    )
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[request]))
    assert result.responses[0].json_body == {
        "name": "cover.png",
        "size": 100,
        "type": "image/png",
        "description": "a cover",
    }


TAGS = """
from typing import Annotated

from fastapi import FastAPI, Form

app = FastAPI()


@app.post("/tags")
def tags(title: Annotated[str, Form()], tag: Annotated[list[str], Form()]):
    return {"title": title, "tags": tag}
"""


def test_a_form_field_given_several_values_is_repeated_in_order(run_in_sandbox):
    request = HttpRequest(
        method="POST",
        path="/tags",
        form={"title": "{{name}}", "tag": ["sf", "{{name}}", "classic"]},
    )
    first = HttpRequest(
        method="POST",
        path="/tags",
        form={"title": "Dune", "tag": "one"},
        capture={"name": "json.title"},
    )
    result = run_in_sandbox(RunRequest(code=TAGS, requests=[first, request]))
    assert result.responses[0].json_body == {"title": "Dune", "tags": ["one"]}
    assert result.responses[1].json_body == {"title": "Dune", "tags": ["sf", "Dune", "classic"]}


def test_unknown_route_is_a_404_not_an_error(run_in_sandbox):
    result = run_in_sandbox(RunRequest(code=BOOKS, requests=[HttpRequest(path="/nope")]))
    assert result.outcome == "ok"
    assert result.responses[0].status == 404


def test_binary_response_body_is_returned_as_base64(run_in_sandbox):
    code = (
        "from fastapi import FastAPI, Response\napp = FastAPI()\n"
        "@app.get('/img')\ndef img():\n"
        "    return Response(b'\\x89PNG\\xff\\xfe', media_type='image/png')\n"
    )
    result = run_in_sandbox(RunRequest(code=code, requests=[HttpRequest(path="/img")]))
    response = result.responses[0]
    assert response.is_binary
    assert base64.b64decode(response.body) == b"\x89PNG\xff\xfe"


def test_lifespan_startup_runs_before_requests(run_in_sandbox):
    code = """
from contextlib import asynccontextmanager
from fastapi import FastAPI

state = {}

@asynccontextmanager
async def lifespan(app):
    state["ready"] = True
    yield
    print("shutting down")

app = FastAPI(lifespan=lifespan)

@app.get("/")
def root():
    return state
"""
    result = run_in_sandbox(RunRequest(code=code, requests=[HttpRequest(path="/")]))
    assert result.responses[0].json_body == {"ready": True}
    assert result.stdout == "shutting down\n"


def test_extra_learner_modules_can_be_imported(run_in_sandbox):
    code = "from fastapi import FastAPI\nfrom models import greeting\napp = FastAPI()\n"
    code += "@app.get('/')\ndef root():\n    return {'greeting': greeting()}\n"
    request = RunRequest(
        code=code,
        files={"models.py": "def greeting():\n    return 'hi'\n"},
        requests=[HttpRequest(path="/")],
    )
    assert run_in_sandbox(request).responses[0].json_body == {"greeting": "hi"}


def test_concurrent_requests_overlap_in_time(run_in_sandbox):
    code = """
import asyncio
from fastapi import FastAPI
app = FastAPI()

@app.get("/wait")
async def wait():
    await asyncio.sleep(0.2)
    return {}
"""
    requests = [HttpRequest(path="/wait") for _ in range(5)]
    result = run_in_sandbox(
        RunRequest(code=code, requests=requests, concurrent=True, instruments=["timeline"])
    )
    timeline = result.instrumentation["timeline"]
    assert len(timeline["requests"]) == 5
    assert 200 <= timeline["total_ms"] < 600  # five waits of 200 ms, at the same time
    assert sorted(e["request"] for e in timeline["requests"]) == [0, 1, 2, 3, 4]


def test_print_goes_to_stdout_and_stderr_separately(run_in_sandbox):
    code = "import sys\nfrom fastapi import FastAPI\nprint('out')\nprint('err', file=sys.stderr)\n"
    code += "app = FastAPI()\n"
    result = run_in_sandbox(RunRequest(code=code))
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    assert result.outcome == "ok"


ENDLESS = """
import sys
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

app = FastAPI()


@app.get("/forever")
def forever():
    def chunks():
        while True:
            yield b"x" * 65536
    return StreamingResponse(chunks())


@app.get("/forever-async")
async def forever_async():
    async def chunks():
        while True:
            yield "y" * 10000
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/huge")
def huge():
    return Response(b"z" * (20 * 1024 * 1024))


@app.get("/small")
def small():
    return {"ok": True}
"""


def test_a_body_that_never_ends_is_read_up_to_a_cap_and_the_run_goes_on(run_in_sandbox):
    paths = ["/forever", "/forever-async", "/huge", "/small"]
    result = run_in_sandbox(RunRequest(code=ENDLESS, requests=[HttpRequest(path=p) for p in paths]))
    assert result.outcome == "ok", result.message
    cut, last = result.responses[:3], result.responses[3]
    for response in cut:
        assert response.status == 200
        assert response.error is None
        assert response.unfinished
        assert response.truncated
        assert response.size_bytes == 8 * 1024 * 1024
    assert set(cut[0].body) == {"x"}
    assert set(cut[1].body) == {"y"}
    assert last.json_body == {"ok": True}
    assert not last.unfinished
    assert result.usage.max_memory_mib < 200


def test_print_through_the_binary_buffer_and_reconfigure_work_as_in_a_terminal(run_in_sandbox):
    code = (
        "import sys\n"
        "from fastapi import FastAPI\n"
        "sys.stdout.reconfigure(line_buffering=True)\n"
        "app = FastAPI()\n\n"
        "@app.get('/')\n"
        "def root():\n"
        "    sys.stdout.buffer.write(b'caf\\xc3')\n"
        "    sys.stdout.buffer.write(b'\\xa9 \\xff\\n')\n"
        "    sys.stdout.buffer.flush()\n"
        "    print('then text')\n"
        "    sys.stderr.buffer.write('to stderr\\n'.encode())\n"
        "    return {'ok': True}\n"
    )
    result = run_in_sandbox(RunRequest(code=code, requests=[HttpRequest(path="/")]))
    assert result.outcome == "ok", result.message
    assert result.stdout == "caf\u00e9 \ufffd\nthen text\n"
    assert result.stderr == "to stderr\n"


def test_binary_files_are_written_byte_for_byte_and_checked_like_text_files(run_in_sandbox):
    app = (
        "from pathlib import Path\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/')\ndef root():\n"
        "    return {'bytes': list(Path('data/blob.bin').read_bytes())}\n"
    )
    blob = base64.b64encode(bytes([0, 255, 13, 10, 128])).decode()
    result = run_in_sandbox(
        RunRequest(code=app, binary_files={"data/blob.bin": blob}, requests=[HttpRequest()])
    )
    assert result.responses[0].json_body == {"bytes": [0, 255, 13, 10, 128]}
    for bad, why in [
        ({"../blob.bin": blob}, "is not a relative file path"),
        ({"blob.bin": "not base64!"}, "the content of a binary file is base64"),
        ({"app.py": blob}, "every file needs its own name"),
    ]:
        with pytest.raises(ValidationError, match=why):
            RunRequest(code=app, binary_files=bad)


LOGS = """
import logging

from fastapi import FastAPI

log = logging.getLogger("uvicorn.error")
app = FastAPI()


@app.get("/")
def root():
    log.info("serving the root")
    logging.getLogger("uvicorn").warning("careful")
    logging.getLogger("uvicorn.access").info("not shown: the access log is left out")
    logging.getLogger("shop").info("not shown: nothing configured this logger")
    return {}
"""


def test_the_uvicorn_loggers_print_as_under_uvicorn_and_reach_caplog_under_pytest(
    run_in_sandbox,
):
    result = run_in_sandbox(RunRequest(code=LOGS, requests=[HttpRequest()]))
    assert result.stderr == "INFO:     serving the root\nWARNING:  careful\n"
    tests = (
        "import logging\nfrom fastapi.testclient import TestClient\nfrom app import app\n\n\n"
        "def test_logs(caplog):\n    caplog.set_level(logging.INFO)\n"
        "    TestClient(app).get('/')\n"
        "    assert 'serving the root' in caplog.messages\n\n\n"
        "def test_uvicorn_set_nothing_up():\n"
        "    for name in ('uvicorn', 'uvicorn.error', 'uvicorn.access'):\n"
        "        logger = logging.getLogger(name)\n"
        "        assert (logger.handlers, logger.level, logger.propagate) == ([], 0, True)\n"
    )
    tested = run_in_sandbox(RunRequest(kind="test", code=LOGS, tests=tests))
    assert [case.outcome for case in tested.tests] == ["passed"] * 2, tested.tests[0].details
    # An app run after a test run, in the same runner, prints as Uvicorn again.
    result = run_in_sandbox(RunRequest(code=LOGS, requests=[HttpRequest()]))
    assert result.stderr == "INFO:     serving the root\nWARNING:  careful\n"


PROCESSES = """
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory

from fastapi import FastAPI

app = FastAPI()


def square(x):
    return x * x


@app.get("/pool")
def pool():
    with multiprocessing.Pool(2) as workers:
        return {"squares": workers.map(square, range(5))}


@app.get("/executor")
def executor():
    with ProcessPoolExecutor(2) as workers:
        return {"squares": list(workers.map(square, range(3)))}


@app.get("/shared")
def shared():
    block = shared_memory.SharedMemory(create=True, size=16)
    try:
        block.buf[:2] = b"hi"
        return {"read": bytes(block.buf[:2]).decode()}
    finally:
        block.close()
        block.unlink()


@app.get("/too-big")
def too_big():
    shared_memory.SharedMemory(create=True, size=1 << 30)


@app.get("/full")
def full():
    for n in range(100):
        with open(f"/tmp/part-{n}", "wb") as out:
            out.write(b"x" * (4 << 20))
"""


def test_process_pools_and_shared_memory_work_as_on_a_machine_within_the_limits(
    run_in_sandbox,
):
    paths = ["/pool", "/executor", "/shared"]
    result = run_in_sandbox(
        RunRequest(code=PROCESSES, requests=[HttpRequest(path=p) for p in paths])
    )
    assert result.outcome == "ok", result.message
    assert [r.json_body for r in result.responses] == [
        {"squares": [0, 1, 4, 9, 16]},
        {"squares": [0, 1, 4]},
        {"read": "hi"},
    ]
    # /dev/shm is in the sandbox's own small /tmp, and its files obey the file-size limit.
    big = run_in_sandbox(RunRequest(code=PROCESSES, requests=[HttpRequest(path="/too-big")]))
    assert big.outcome == "runtime_error"
    assert "[Errno 27] File too large. A file the sandbox writes may hold at most" in big.message


def test_a_full_disk_says_that_the_sandbox_has_little_room(run_in_sandbox):
    full = run_in_sandbox(RunRequest(code=PROCESSES, requests=[HttpRequest(path="/full")]))
    assert full.outcome == "runtime_error"
    assert "on line 47 of app.py" in full.message
    assert "No space left on device. The sandbox's own folder and /tmp are small" in full.message


SETTINGS = """
from fastapi import FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    app_name: str = "unnamed"
    admin_email: str = "nobody"
    model_config = SettingsConfigDict(env_file=".env")


settings = Settings()
app = FastAPI()


@app.get("/info")
def info():
    return {"name": settings.app_name, "email": settings.admin_email}
"""


def test_an_env_file_is_read_by_pydantic_settings_as_beside_uvicorn(run_in_sandbox):
    env = 'APP_NAME="Bookstore"\nADMIN_EMAIL=admin@example.com\n'
    request = RunRequest(code=SETTINGS, files={".env": env}, requests=[HttpRequest(path="/info")])
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert result.responses[0].json_body == {"name": "Bookstore", "email": "admin@example.com"}


NETWORK = """
import socket

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/site")
def site():
    return httpx.get("https://example.com", timeout=2).status_code


@app.get("/address")
def address():
    socket.create_connection(("10.1.2.3", 80), timeout=2)


@app.get("/database")
def database():
    socket.create_connection(("127.0.0.1", 5432), timeout=2)
"""


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/site", "Name or service not known. The sandbox has no network"),
        ("/address", "not permitted (opening a network socket). The sandbox has no network"),
        ("/database", "not permitted (opening a network socket). The sandbox has no network"),
    ],
)
def test_a_connection_that_fails_says_that_the_sandbox_has_no_network(run_in_sandbox, path, said):
    result = run_in_sandbox(RunRequest(code=NETWORK, requests=[HttpRequest(path=path)]))
    assert result.outcome == "runtime_error"
    assert said in result.message, result.message


EXITS = """
import sys

from fastapi import FastAPI

app = FastAPI()


@app.get("/leave")
def leave():
    sys.exit(3)


@app.get("/interrupt")
async def interrupt():
    raise KeyboardInterrupt


@app.get("/ask")
def ask():
    return {"name": input("Your name? ")}


@app.get("/")
def root():
    return {"still": "serving"}
"""


def test_sys_exit_in_an_endpoint_is_a_500_and_the_app_goes_on_as_under_uvicorn(run_in_sandbox):
    paths = ["/leave", "/interrupt", "/"]
    result = run_in_sandbox(RunRequest(code=EXITS, requests=[HttpRequest(path=p) for p in paths]))
    assert [r.status for r in result.responses] == [500, 500, 200]
    assert result.responses[0].body == "Internal Server Error"
    assert result.responses[0].error.type == "SystemExit"
    assert result.responses[1].error.type == "KeyboardInterrupt"
    assert result.responses[2].json_body == {"still": "serving"}
    assert result.outcome == "runtime_error"
    assert result.message == "GET /leave failed with SystemExit on line 11 of app.py: 3"


def test_input_in_an_endpoint_says_that_nobody_types_into_the_sandbox(run_in_sandbox):
    result = run_in_sandbox(RunRequest(code=EXITS, requests=[HttpRequest(path="/ask")]))
    assert result.outcome == "runtime_error"
    assert "EOF when reading a line. Nobody types into the sandbox" in result.message
    assert "on line 21 of app.py" in result.message
