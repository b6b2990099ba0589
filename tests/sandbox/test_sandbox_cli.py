"""`deepdive sandbox run|test`: results as JSON, exit code 0 unless the engine failed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from deepdive.cli import app as deepdive_app

APP = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Book(BaseModel):
    title: str


@app.get("/")
def root():
    return {"message": "hello"}


@app.post("/books", status_code=201)
def create(book: Book):
    return book


@app.get("/boom")
def boom():
    raise ValueError("broken on purpose")
"""
TESTS = """
from fastapi.testclient import TestClient
from main import app


def test_root():
    assert TestClient(app).get("/").json() == {"message": "hello"}
"""


def deepdive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (it starts an engine there)."""
    command = [sys.executable, "-c", "from deepdive.cli import main; main()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def deepdive_here(*args: str):
    """The same command line, in this process (fine whenever it talks to a runner)."""
    return CliRunner().invoke(deepdive_app, list(args))


def test_run_prints_the_result_as_json(tmp_path: Path, runner_url: str):
    app = tmp_path / "main.py"
    app.write_text(APP)
    done = deepdive_here(
        "sandbox", "run", str(app), "--runner", runner_url,
        "--request", "GET /", "--request", 'POST /books {"title": "X"}',
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["outcome"] == "ok"
    assert [r["status"] for r in result["responses"]] == [200, 201]
    assert result["responses"][1]["json_body"] == {"title": "X"}


def test_a_query_string_in_the_path_reaches_the_app(tmp_path: Path, runner_url: str):
    app = tmp_path / "main.py"
    app.write_text(
        "from fastapi import FastAPI, Request\napp = FastAPI()\n\n"
        "@app.get('/')\ndef echo(request: Request):\n"
        "    return {'query': str(request.query_params)}\n"
    )
    done = deepdive_here(
        "sandbox", "run", str(app), "--runner", runner_url, "-r", "GET /?n=x&tag=a&tag=b"
    )
    assert done.exit_code == 0, done.output
    response = json.loads(done.stdout)["responses"][0]
    assert response["json_body"] == {"query": "n=x&tag=a&tag=b"}
    assert response["path"] == "/?n=x&tag=a&tag=b"


def test_learners_error_still_exits_zero(tmp_path: Path, runner_url: str):
    app = tmp_path / "main.py"
    app.write_text(APP)
    done = deepdive_here("sandbox", "run", str(app), "--runner", runner_url, "-r", "GET /boom")
    assert done.exit_code == 0
    result = json.loads(done.stdout)
    assert result["outcome"] == "runtime_error"
    assert result["error"]["file"] == "main.py"


def test_test_command_runs_pytest_in_its_own_engine(tmp_path: Path):
    (tmp_path / "main.py").write_text(APP)
    (tmp_path / "test_main.py").write_text(TESTS)
    done = deepdive(
        "sandbox", "test", str(tmp_path / "main.py"), str(tmp_path / "test_main.py"),
        env={"DEEPDIVE_DATA_DIR": str(tmp_path / "data")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [(t["name"], t["outcome"]) for t in result["tests"]] == [("test_root", "passed")]
    assert "No course is running here, so a sandbox was started" in done.stderr


def test_run_uses_the_courses_runner_when_the_course_is_running(tmp_path: Path):
    from deepdive.sandbox.local import local_runner
    from deepdive.settings import Settings

    app = tmp_path / "main.py"
    app.write_text(APP)
    data = tmp_path / "data"
    settings = Settings(data_dir=data).prepare()
    with local_runner(settings) as runner:
        done = deepdive(
            "sandbox", "run", str(app), "-r", "GET /", env={"DEEPDIVE_DATA_DIR": str(data)}
        )
        assert done.returncode == 0, done.stderr
        assert f"Ran on the course's runner at {runner.url}." in done.stderr
        assert json.loads(done.stdout)["responses"][0]["json_body"] == {"message": "hello"}
        # Talking to a runner needs neither the engine nor what sandboxes preload, so the
        # command starts quickly: none of them is imported.
        profiled = {"DEEPDIVE_DATA_DIR": str(data), "PYTHONPROFILEIMPORTTIME": "1"}
        timed = deepdive("sandbox", "run", str(app), env=profiled)
        assert timed.returncode == 0, timed.stderr
        imported = {
            line.rsplit("|", 1)[1].strip()
            for line in timed.stderr.splitlines()
            if line.startswith("import time:")
        }
        assert "deepdive.settings" in imported
        assert not imported & {"deepdive.sandbox.engine", "pytest", "sqlalchemy", "fastapi"}
    # Once the course has stopped, the command runs in a sandbox of its own again.
    alone = deepdive("sandbox", "run", str(app), env={"DEEPDIVE_DATA_DIR": str(data)})
    assert alone.returncode == 0, alone.stderr
    assert "No course is running here" in alone.stderr


def test_engine_problems_exit_non_zero_with_a_message(tmp_path: Path):
    missing = deepdive_here("sandbox", "run", str(tmp_path / "nope.py"))
    assert missing.exit_code == 1
    assert "Cannot read" in missing.stderr
    app = tmp_path / "main.py"
    app.write_text(APP)
    gone = deepdive_here("sandbox", "run", str(app), "--runner", f"unix://{tmp_path}/gone.sock")
    assert gone.exit_code == 1
    assert "not answering" in gone.stderr
    bad = deepdive_here("sandbox", "run", str(app), "--runner", "unix:///x", "-r", "GET")
    assert bad.exit_code == 1
    assert "Invalid request" in bad.stderr
    untested = deepdive_here("sandbox", "test", str(tmp_path), "--runner", "unix:///x")
    assert untested.exit_code == 1
    assert "holds no tests: pytest collects files named test_*.py or *_test.py" in untested.stderr


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


PACKAGE = {
    "shop/__init__.py": "",
    "shop/main.py": "from fastapi import FastAPI\n\nfrom .routers import books\n\n"
    "app = FastAPI()\napp.include_router(books.router)\n",
    "shop/routers/__init__.py": "",
    "shop/routers/books.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
    "@router.get('/books/{book_id}')\ndef read(book_id: int):\n    return {'id': book_id}\n",
    "tests/test_books.py": "from fastapi.testclient import TestClient\n\n"
    "from shop.main import app\n\n\ndef test_book():\n"
    "    assert TestClient(app).get('/books/3').json() == {'id': 3}\n",
    "logo.png": b"\x89PNG\r\n\x1a\n\xff\xfe",
    ".env": "SECRET=1\n",
    ".git/config": "[core]\n",
    ".DS_Store": b"\x00\x01",
    "shop/.cache/.env": "NOT=1\n",
    "shop/__pycache__/main.cpython-311.pyc": b"\x00",
}


def test_run_takes_a_folder_and_the_app_as_uvicorn_names_it(tmp_path: Path, runner_url: str):
    folder = write_tree(tmp_path / "project", PACKAGE)
    done = deepdive_here(
        "sandbox", "run", str(folder), "--app", "shop.main:app", "--runner", runner_url,
        "-r", "GET /books/7",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["outcome"] == "ok", result["message"]
    assert result["responses"][0]["json_body"] == {"id": 7}
    assert "Left out" not in done.stderr


STATIC_APP = """
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

app = FastAPI()
app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


@app.get("/logo")
def logo():
    return FileResponse(Path(__file__).parent / "static" / "logo.png")
"""


def test_a_folders_binary_files_reach_the_app_byte_for_byte(tmp_path: Path, runner_url: str):
    logo = bytes(range(256)) * 4
    for name in ("flat", "pkg"):
        tree = {"main.py": STATIC_APP, "static/logo.png": logo, "static/site.css": "body {}\n"}
        if name == "pkg":
            tree["__init__.py"] = ""
        folder = write_tree(tmp_path / name, tree)
        done = deepdive_here(
            "sandbox", "run", str(folder), "--runner", runner_url,
            "-r", "GET /logo", "-r", "GET /static/logo.png", "-r", "GET /static/site.css",
        )  # fmt: skip
        result = json.loads(done.stdout)
        assert result["outcome"] == "ok", result["message"]
        served, mounted, css = result["responses"]
        for response in (served, mounted):
            assert response["is_binary"]
            assert base64.b64decode(response["body"]) == logo
        assert css["body"] == "body {}\n"


def test_run_finds_the_app_module_where_fastapi_dev_looks(tmp_path: Path, runner_url: str):
    folder = write_tree(tmp_path / "project", {"app/__init__.py": "", "app/main.py": APP})
    done = deepdive_here("sandbox", "run", str(folder), "--runner", runner_url, "-r", "GET /")
    assert json.loads(done.stdout)["responses"][0]["json_body"] == {"message": "hello"}
    empty = write_tree(tmp_path / "other", {"service.py": APP})
    missing = deepdive_here("sandbox", "run", str(empty), "--runner", runner_url)
    assert missing.exit_code == 1
    assert "--app" in missing.stderr


def test_test_takes_a_folder_and_collects_every_test_in_it(tmp_path: Path, runner_url: str):
    folder = write_tree(tmp_path / "project", PACKAGE)
    done = deepdive_here("sandbox", "test", str(folder), "--runner", runner_url)
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert [(t["nodeid"], t["outcome"]) for t in result["tests"]] == [
        ("tests/test_books.py::test_book", "passed")
    ]


def test_a_tests_file_named_the_other_way_pytest_collects_runs_too(tmp_path: Path, runner_url: str):
    (tmp_path / "main.py").write_text(APP)
    (tmp_path / "main_test.py").write_text(TESTS)
    done = deepdive_here(
        "sandbox", "test", str(tmp_path / "main.py"), str(tmp_path / "main_test.py"),
        "--runner", runner_url,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert [(t["nodeid"], t["outcome"]) for t in result["tests"]] == [
        ("main_test.py::test_root", "passed")
    ]


def test_test_of_a_single_module_still_needs_its_tests_file(tmp_path: Path):
    (tmp_path / "main.py").write_text(APP)
    done = deepdive_here("sandbox", "test", str(tmp_path / "main.py"))
    assert done.exit_code == 1
    assert "tests file" in done.stderr


def test_a_file_that_is_no_module_gets_a_readable_refusal(tmp_path: Path):
    for name in ("notes.txt", "2nd_app.py", "my-app.py"):
        (tmp_path / name).write_text(APP)
        done = deepdive_here("sandbox", "run", str(tmp_path / name))
        assert done.exit_code == 1
        assert f"{name} is not a module Python can import" in done.stderr
        assert "pattern" not in done.stderr
    (tmp_path / "main.py").write_text(APP)
    (tmp_path / "checks.py").write_text(TESTS)
    done = deepdive_here("sandbox", "test", str(tmp_path / "main.py"), str(tmp_path / "checks.py"))
    assert done.exit_code == 1
    assert "checks.py: name the tests file like test_app.py" in done.stderr


def test_a_refused_request_says_what_to_change_in_the_commands_words(tmp_path: Path):
    (tmp_path / "main.py").write_text(APP)
    main = str(tmp_path / "main.py")
    done = deepdive_here("sandbox", "run", main, "-r", "GET books")
    assert done.exit_code == 1
    assert "path: a request's path starts with / (GET /books), not 'books'" in done.stderr
    done = deepdive_here("sandbox", "run", main, "--app", "main:2app")
    assert "app_name: --app names the app's attribute" in done.stderr
    (tmp_path / "big.py").write_text("x = 1\n" * 100_000)
    done = deepdive_here("sandbox", "run", str(tmp_path / "big.py"))
    assert done.exit_code == 1
    assert "code: the file is larger than a run takes (512 KiB)" in done.stderr
    assert "pydantic" not in done.stderr


def test_a_folder_is_sent_without_hidden_files_or_caches_and_with_its_binaries(tmp_path: Path):
    from deepdive.sandbox.folders import folder_request

    folder = write_tree(tmp_path / "project", PACKAGE)
    request = folder_request(folder, kind="test", spec=None)
    # Hidden folders and files are left out, but .env files (pydantic-settings reads them).
    assert sorted(request.all_files()) == [
        ".env",
        "shop/__init__.py",
        "shop/main.py",
        "shop/routers/__init__.py",
        "shop/routers/books.py",
        "tests/test_books.py",
    ]
    assert list(request.binary_files) == ["logo.png"]
    assert base64.b64decode(request.binary_files["logo.png"]) == (folder / "logo.png").read_bytes()


def test_a_folder_that_is_a_package_runs_from_its_parent(tmp_path: Path, runner_url: str):
    shop = write_tree(tmp_path / "project", PACKAGE) / "shop"
    for spec in ([], ["--app", "main:app"], ["--app", "shop.main:app"]):
        done = deepdive_here(
            "sandbox", "run", str(shop), *spec, "--runner", runner_url, "-r", "GET /books/5"
        )
        result = json.loads(done.stdout)
        assert result["outcome"] == "ok", result["message"]
        assert result["responses"][0]["json_body"] == {"id": 5}
