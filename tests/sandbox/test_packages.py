"""Runs of several files: a package with routers in modules of their own, relative imports,
tests in a folder, and errors shown in the file where they happened."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepdive.sandbox.run_request import HttpRequest, RunRequest

# The layout of FastAPI's "bigger applications" tutorial: one APIRouter per module.
SHOP = {
    "shop/__init__.py": "",
    "shop/dependencies.py": """from typing import Annotated

from fastapi import Header, HTTPException


async def require_key(x_key: Annotated[str, Header()]) -> str:
    if x_key != "open-sesame":
        raise HTTPException(status_code=403, detail="Wrong X-Key")
    return x_key
""",
    "shop/routers/__init__.py": "",
    "shop/routers/books.py": """from fastapi import APIRouter, Depends

from ..dependencies import require_key
from ..stock import count

router = APIRouter(prefix="/books", tags=["books"], dependencies=[Depends(require_key)])
TITLES = {1: "Dune", 2: "Emma"}


@router.get("/{book_id}")
def read_book(book_id: int) -> dict[str, object]:
    return {"id": book_id, "title": TITLES[book_id], "in_stock": count(book_id)}
""",
    "shop/stock.py": """STOCK = {1: 3}


def count(book_id: int) -> int:
    return STOCK[book_id]
""",
    "shop/internal/__init__.py": "",
    "shop/internal/admin.py": """from fastapi import APIRouter

router = APIRouter()


@router.post("/reindex")
def reindex() -> dict[str, str]:
    return {"status": "reindexed"}
""",
}
MAIN = """from fastapi import FastAPI

from .internal import admin
from .routers import books

app = FastAPI(title="Shop")
app.include_router(books.router)
app.include_router(admin.router, prefix="/admin", tags=["admin"])


@app.get("/")
def root() -> dict[str, str]:
    return {"package": __package__, "module": __name__}
"""
KEY = {"X-Key": "open-sesame"}


def shop_run(**fields) -> RunRequest:
    return RunRequest(code=MAIN, filename="shop/main.py", files=SHOP, **fields)


def test_a_package_with_routers_in_modules_answers_like_under_uvicorn(run_in_sandbox):
    result = run_in_sandbox(
        shop_run(
            requests=[
                HttpRequest(path="/"),
                HttpRequest(path="/books/1", headers=KEY),
                HttpRequest(path="/books/1", headers={"X-Key": "guess"}),
                HttpRequest(method="POST", path="/admin/reindex"),
            ]
        )
    )
    assert result.outcome == "ok", result.message
    root, book, refused, admin = result.responses
    assert root.json_body == {"package": "shop", "module": "shop.main"}
    assert book.json_body == {"id": 1, "title": "Dune", "in_stock": 3}
    assert (refused.status, refused.json_body) == (403, {"detail": "Wrong X-Key"})
    assert admin.json_body == {"status": "reindexed"}


def test_an_error_deep_in_the_package_names_each_file_on_the_way(run_in_sandbox):
    result = run_in_sandbox(shop_run(requests=[HttpRequest(path="/books/2", headers=KEY)]))
    assert result.outcome == "runtime_error"
    error = result.responses[0].error
    assert error.type == "KeyError"
    assert [(f.file, f.line, f.function) for f in error.frames] == [
        ("shop/routers/books.py", 12, "read_book"),
        ("shop/stock.py", 5, "count"),
    ]
    assert (error.file, error.line) == ("shop/stock.py", 5)
    assert 'File "shop/stock.py", line 5, in count' in error.traceback


def test_a_syntax_error_in_a_module_of_the_package_points_at_that_module(run_in_sandbox):
    files = {**SHOP, "shop/stock.py": "STOCK = {1: 3\n\n\ndef count(book_id):\n    return 0\n"}
    result = run_in_sandbox(RunRequest(code=MAIN, filename="shop/main.py", files=files))
    assert result.outcome == "syntax_error"
    assert result.error.file == "shop/stock.py"
    assert result.error.line == 1
    assert "shop/stock.py" in result.message


def test_a_missing_relative_import_is_an_import_error_on_its_line(run_in_sandbox):
    files = {**SHOP, "shop/routers/books.py": "from ..warehouse import count\n"}
    result = run_in_sandbox(RunRequest(code=MAIN, filename="shop/main.py", files=files))
    assert result.outcome == "import_error"
    assert (result.error.file, result.error.line) == ("shop/routers/books.py", 1)
    assert "shop.warehouse" in result.message


def test_a_relative_import_outside_a_package_says_how_to_make_one(run_in_sandbox):
    code = "from fastapi import FastAPI\n\nfrom . import models\n\napp = FastAPI()\n"
    result = run_in_sandbox(RunRequest(code=code, files={"models.py": "X = 1\n"}))
    assert result.outcome == "import_error"
    assert (result.error.file, result.error.line) == ("app.py", 3)
    assert "no known parent package. A relative import (`from . import models`) works only" in (
        result.message
    )


def test_instruments_name_the_learners_files_by_their_paths(run_in_sandbox):
    result = run_in_sandbox(
        shop_run(requests=[HttpRequest(path="/books/1", headers=KEY)], instruments=["routing"])
    )
    (request,) = result.instrumentation["routing"]["requests"]
    assert (request["route"]["file"], request["route"]["line"]) == ("shop/routers/books.py", 10)
    assert request["route"]["function"] == "read_book"


TESTS = {
    "tests/__init__.py": "",
    "tests/conftest.py": """import pytest
from fastapi.testclient import TestClient

from shop.main import app


@pytest.fixture
def client():
    return TestClient(app, headers={"X-Key": "open-sesame"})
""",
    "tests/test_books.py": """from .helpers import title_of


def test_dune(client):
    assert title_of(client, 1) == "Dune"


def test_emma(client):
    assert title_of(client, 2) == "Emma"
""",
    "tests/helpers.py": """def title_of(client, book_id):
    return client.get(f"/books/{book_id}").json()["title"]
""",
}


def test_a_test_folder_with_its_conftest_runs_against_the_package(run_in_sandbox):
    request = RunRequest(kind="test", code=MAIN, filename="shop/main.py", files={**SHOP, **TESTS})
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    assert [(c.nodeid, c.outcome) for c in result.tests] == [
        ("tests/test_books.py::test_dune", "passed"),
        ("tests/test_books.py::test_emma", "failed"),
    ]
    failed = result.tests[1]
    assert failed.message == "KeyError: 2"
    assert (failed.file, failed.line) == ("shop/stock.py", 5)
    assert "tests/helpers.py:2" in failed.details


def test_data_files_travel_with_the_modules(run_in_sandbox):
    app = """from pathlib import Path

from fastapi import FastAPI

app = FastAPI()


@app.get("/motd")
def motd() -> dict[str, str]:
    return {"text": Path("data/motd.txt").read_text().strip()}
"""
    files = {"data/motd.txt": "Read more books.\n"}
    result = run_in_sandbox(RunRequest(code=app, files=files, requests=[HttpRequest(path="/motd")]))
    assert result.responses[0].json_body == {"text": "Read more books."}


def test_a_package_named_like_a_standard_module_is_refused_with_a_rename_hint(run_in_sandbox):
    files = {"json/__init__.py": "", "json/tools.py": "X = 1\n"}
    result = run_in_sandbox(
        RunRequest(code="from fastapi import FastAPI\napp = FastAPI()\n", files=files)
    )
    assert result.outcome == "import_error"
    assert "Rename the folder json/" in result.message


@pytest.mark.parametrize(
    "name",
    [
        "../escape.py",
        "/etc/passwd",
        "shop/../../x.py",
        ".git/config",
        "shop/.hidden/x.py",
        "a b.py",
        "..",
        ".",
        "./.env",
    ],
)
def test_paths_that_leave_the_folder_or_hide_are_refused(name: str):
    with pytest.raises(ValidationError, match="relative file path"):
        RunRequest(code="", files={name: ""})


def test_a_files_own_name_may_be_hidden_as_env_files_are():
    files = {".env": "", "config/.env.test": "", ".pytest.ini": ""}
    assert RunRequest(code="", files=files).files == files


def test_a_path_cannot_be_a_file_and_a_folder_at_once():
    with pytest.raises(ValidationError, match="both a file and a folder"):
        RunRequest(code="", files={"shop": "", "shop/main.py": ""})


def test_the_main_module_must_be_importable():
    with pytest.raises(ValidationError):
        RunRequest(code="", filename="my-shop/main.py")
    assert RunRequest(code="", filename="shop/main.py").module() == "shop.main"
    assert RunRequest(code="", filename="shop/__init__.py").module() == "shop"
