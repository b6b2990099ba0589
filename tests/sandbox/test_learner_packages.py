"""The packages FastAPI's documentation has learners import work inside the sandbox: each is
used for real in a run (the sandbox's read-only root must hold what each one needs)."""

from __future__ import annotations

import mimetypes

from deepdive.sandbox import packages
from deepdive.sandbox.run_request import HttpRequest, RunRequest


def test_every_listed_package_imports_in_the_sandbox_with_its_installed_version(run_in_sandbox):
    result = run_in_sandbox(packages.probe_request())
    assert result.outcome == "ok", result.message
    report = {item["name"]: item for item in packages.probe_report(result)}
    installed = {item.package.distribution: item.version for item in packages.installed()}
    assert {name: item["version"] for name, item in report.items()} == installed
    assert all(item["error"] is None for item in report.values())
    assert None not in installed.values()


def test_email_str_validates_with_email_validator(run_in_sandbox):
    app = """
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

app = FastAPI()


class Reader(BaseModel):
    email: EmailStr


@app.post("/readers")
def join(reader: Reader) -> Reader:
    return reader
"""
    result = run_in_sandbox(
        RunRequest(
            code=app,
            requests=[
                HttpRequest(method="POST", path="/readers", json_body={"email": "Ada@Example.org"}),
                HttpRequest(method="POST", path="/readers", json_body={"email": "ada-at-home"}),
            ],
        )
    )
    accepted, refused = result.responses
    assert accepted.json_body == {"email": "Ada@example.org"}  # the domain is normalised
    assert refused.status == 422
    (error,) = refused.json_body["detail"]
    assert error["loc"] == ["body", "email"]
    assert "@-sign" in error["msg"]


def test_orjson_and_ujson_render_responses(run_in_sandbox):
    app = """
import warnings

import orjson
from fastapi import FastAPI
from fastapi.responses import Response

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # both classes are deprecated in favour of return types
    from fastapi.responses import ORJSONResponse, UJSONResponse

app = FastAPI()


@app.get("/orjson", response_class=ORJSONResponse)
def fast():
    return ORJSONResponse({"library": "orjson", "ok": True})


@app.get("/ujson", response_class=UJSONResponse)
def ultra():
    return UJSONResponse({"library": "ujson"})


@app.get("/indented")
def indented():
    body = orjson.dumps({"a": [1, 2]}, option=orjson.OPT_INDENT_2)
    return Response(body, media_type="application/json")
"""
    result = run_in_sandbox(
        RunRequest(
            code=app,
            requests=[
                HttpRequest(path="/orjson"),
                HttpRequest(path="/ujson"),
                HttpRequest(path="/indented"),
            ],
        )
    )
    assert result.outcome == "ok", result.message
    fast, ultra, indented = result.responses
    assert fast.body == '{"library":"orjson","ok":true}'
    assert ultra.json_body == {"library": "ujson"}
    assert indented.body == '{\n  "a": [\n    1,\n    2\n  ]\n}'


def test_session_middleware_signs_cookies_with_itsdangerous(run_in_sandbox):
    app = """
from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="not-for-production")


@app.get("/visit")
def visit(request: Request):
    request.session["visits"] = request.session.get("visits", 0) + 1
    return {"visits": request.session["visits"]}
"""
    tests = """
from fastapi.testclient import TestClient

from app import app


def test_the_session_survives_between_requests():
    client = TestClient(app)
    assert client.get("/visit").json() == {"visits": 1}
    assert client.get("/visit").json() == {"visits": 2}
    assert "session" in client.cookies
"""
    result = run_in_sandbox(RunRequest(kind="test", code=app, tests=tests))
    assert [(c.name, c.outcome) for c in result.tests] == [
        ("test_the_session_survives_between_requests", "passed")
    ]


def test_jinja2_templates_render_files_of_the_run(run_in_sandbox):
    app = """
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

app = FastAPI()
templates = Jinja2Templates(directory="templates")


@app.get("/books/{title}", response_class=HTMLResponse)
def book(request: Request, title: str):
    return templates.TemplateResponse(request, "book.html", {"title": title})
"""
    files = {
        "templates/base.html": "<main>{% block body %}{% endblock %}</main>\n",
        "templates/book.html": (
            '{% extends "base.html" %}{% block body %}<h1>{{ title }}</h1>{% endblock %}'
        ),
    }
    result = run_in_sandbox(
        RunRequest(code=app, files=files, requests=[HttpRequest(path="/books/<Emma>")])
    )
    assert result.outcome == "ok", result.message
    (page,) = result.responses
    assert page.body.strip() == "<main><h1>&lt;Emma&gt;</h1></main>"
    assert ("content-type", "text/html; charset=utf-8") in page.headers


def test_sqlmodel_tables_live_in_sqlite(run_in_sandbox):
    app = """
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlmodel import Field, Session, SQLModel, create_engine, select
from sqlalchemy.pool import StaticPool

engine = create_engine(
    "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
)


class Book(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(index=True)


def get_session():
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@asynccontextmanager
async def lifespan(app):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/books")
def create(book: Book, session: SessionDep) -> Book:
    session.add(book)
    session.commit()
    session.refresh(book)
    return book


@app.get("/books")
def books(session: SessionDep) -> list[Book]:
    return list(session.exec(select(Book)).all())
"""
    result = run_in_sandbox(
        RunRequest(
            code=app,
            requests=[
                HttpRequest(method="POST", path="/books", json_body={"title": "Dune"}),
                HttpRequest(path="/books"),
            ],
        )
    )
    assert result.outcome == "ok", result.message
    assert result.responses[1].json_body == [{"id": 1, "title": "Dune"}]


def test_async_sqlalchemy_runs_on_aiosqlite(run_in_sandbox):
    app = """
from fastapi import FastAPI
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine("sqlite+aiosqlite:///books.db")
Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


app = FastAPI()


@app.post("/books/{title}")
async def add(title: str):
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with Session() as session:
        session.add(Book(title=title))
        await session.commit()
        rows = (await session.execute(select(Book.title))).scalars().all()
    await engine.dispose()
    return {"titles": list(rows), "driver": engine.dialect.driver}
"""
    result = run_in_sandbox(
        RunRequest(code=app, requests=[HttpRequest(method="POST", path="/books/Emma")])
    )
    assert result.outcome == "ok", result.message
    assert result.responses[0].json_body == {"titles": ["Emma"], "driver": "aiosqlite"}


def test_snapshots_and_dirty_equals_work_in_tests_as_under_plain_pytest(run_in_sandbox):
    app = """
from datetime import datetime, timezone

from fastapi import FastAPI

app = FastAPI()


@app.get("/books/1")
def book():
    return {"id": 1, "title": "Dune", "fetched": datetime.now(timezone.utc).isoformat()}
"""
    tests = """
from dirty_equals import IsDatetime, IsPositiveInt
from fastapi.testclient import TestClient
from inline_snapshot import snapshot

from app import app

client = TestClient(app)


def test_book_matches_its_snapshot():
    body = client.get("/books/1").json()
    assert body == {"id": IsPositiveInt, "title": "Dune", "fetched": IsDatetime(iso_string=True)}
    assert body["title"] == snapshot("Dune")


def test_a_wrong_snapshot_fails():
    assert client.get("/books/1").json()["title"] == snapshot("Emma")
"""
    result = run_in_sandbox(RunRequest(kind="test", code=app, tests=tests))
    outcomes = [(c.name, c.outcome) for c in result.tests]
    assert outcomes == [
        ("test_book_matches_its_snapshot", "passed"),
        # inline-snapshot's plugin adds its own error at teardown, as under plain pytest
        ("test_a_wrong_snapshot_fails", "error"),
    ]
    assert "'Dune' == 'Emma'" in result.tests[1].details


def test_static_files_get_the_content_types_they_get_outside_the_sandbox(run_in_sandbox):
    app = """
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

app = FastAPI()
app.mount("/static", StaticFiles(directory="static"), name="static")
"""
    # Python's own table names neither (.woff2) or names differently (.mjs) what the
    # system's mime.types names.
    files = {"static/widget.mjs": "export const answer = 42;\n", "static/font.woff2": "w"}
    result = run_in_sandbox(
        RunRequest(
            code=app,
            files=files,
            requests=[
                HttpRequest(path="/static/widget.mjs"),
                HttpRequest(path="/static/font.woff2"),
            ],
        )
    )
    for response, name in zip(result.responses, files, strict=True):
        expected = mimetypes.guess_type(name)[0] or "application/octet-stream"
        assert dict(response.headers)["content-type"].split(";")[0] == expected


def test_a_package_the_sandbox_lacks_is_named_with_where_to_look(run_in_sandbox):
    app = "import strawberry\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    result = run_in_sandbox(RunRequest(code=app))
    assert result.outcome == "import_error"
    assert (result.error.file, result.error.line) == ("app.py", 1)
    assert "No module named 'strawberry'" in result.message
    assert "/packages" in result.message
