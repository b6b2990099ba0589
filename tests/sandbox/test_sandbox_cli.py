"""`deepdive sandbox run|test`: results as JSON, exit code 0 unless the engine failed."""

from __future__ import annotations

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
