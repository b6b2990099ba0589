"""The `validation` instrument: each request's validation errors and the body model they concern."""

from __future__ import annotations

from deepdive.sandbox.run_request import HttpRequest, RunRequest

BOOKS = """
from fastapi import Body, FastAPI
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI()


class BookCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=2)
    year: int = Field(ge=1000, le=2100)
    genre: str | None = None


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stars: int = Field(ge=1, le=5, strict=True)


@app.post("/books", status_code=201)
def create_book(book: BookCreate) -> BookCreate:
    return book


@app.post("/reviews")
def review(review: Review = Body(embed=True)) -> Review:
    return review


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


def _run(run_in_sandbox, *requests: HttpRequest, code: str = BOOKS, outcome: str = "ok"):
    result = run_in_sandbox(
        RunRequest(code=code, requests=list(requests), instruments=["validation"])
    )
    assert result.outcome == outcome, result.message
    return result, result.instrumentation["validation"]["requests"]


def _post(body: dict | None = None, *, raw: str | None = None, path: str = "/books") -> HttpRequest:
    if raw is not None:
        return HttpRequest(
            method="POST", path=path, body=raw, headers={"content-type": "application/json"}
        )
    return HttpRequest(method="POST", path=path, json_body=body)


def test_year_500_is_recorded_with_pydantics_own_error_on_the_year_field(run_in_sandbox):
    result, (entry,) = _run(run_in_sandbox, _post({**DUNE, "year": 500}))
    assert result.responses[0].status == 422
    assert entry["route"] == {"path": "/books", "name": "create_book", "methods": ["POST"]}
    ((raised),) = entry["raised"]
    assert raised["exception"] == "RequestValidationError"
    assert raised["errors"] == [
        {
            "type": "greater_than_equal",
            "loc": ["body", "year"],
            "msg": "Input should be greater than or equal to 1000",
            "input": 500,
            "ctx": {"ge": 1000},
        }
    ]
    assert raised["errors"] == result.responses[0].json_body["detail"]


def test_body_model_fields_are_described_as_the_learner_wrote_them(run_in_sandbox):
    _, (entry,) = _run(run_in_sandbox, _post(DUNE))
    body = entry["body"]
    assert (body["model"], body["embedded"], body["extra"]) == ("BookCreate", False, "ignore")
    fields = {field["name"]: field for field in body["fields"]}
    assert list(fields) == ["title", "author", "year", "genre"]
    assert fields["title"]["constraints"] == ["min_length=1", "max_length=200"]
    assert fields["year"] == {
        "name": "year",
        "key": "year",
        "type": "int",
        "required": True,
        "default": None,
        "constraints": ["ge=1000", "le=2100"],
    }
    assert (fields["genre"]["type"], fields["genre"]["required"], fields["genre"]["default"]) == (
        "str | None",
        False,
        "None",
    )
    assert entry["raised"] == []


def test_malformed_json_keeps_the_character_position_of_the_decode_error(run_in_sandbox):
    raw = '{"title": "Dune", "author": "Frank Herbert",}'
    result, (entry,) = _run(run_in_sandbox, _post(raw=raw))
    ((error,),) = [r["errors"] for r in entry["raised"]]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 44]
    assert error["ctx"] == {"error": "Expecting property name enclosed in double quotes"}
    assert result.responses[0].json_body["detail"] == [error]


def test_errors_are_seen_even_when_the_apps_handler_hides_them(run_in_sandbox):
    hiding = (
        BOOKS
        + """
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


@app.exception_handler(RequestValidationError)
async def vague(request, exc):
    return JSONResponse({"error": "bad input"}, status_code=400)
"""
    )
    result, (entry,) = _run(run_in_sandbox, _post({**DUNE, "author": "F"}), code=hiding)
    assert result.responses[0].json_body == {"error": "bad input"}
    ((raised),) = entry["raised"]
    assert [(e["type"], e["loc"]) for e in raised["errors"]] == [
        ("string_too_short", ["body", "author"])
    ]


def test_embedded_body_strict_fields_and_forbidden_extras_are_described(run_in_sandbox):
    _, (entry,) = _run(run_in_sandbox, _post({"review": {"stars": "5", "x": 1}}, path="/reviews"))
    assert entry["body"]["embedded"] is True
    assert [(f["key"], f["type"]) for f in entry["body"]["fields"]] == [("review", "Review")]
    ((raised),) = entry["raised"]
    assert [(e["type"], e["loc"]) for e in raised["errors"]] == [
        ("int_type", ["body", "review", "stars"]),
        ("extra_forbidden", ["body", "review", "x"]),
    ]


def test_each_request_gets_its_own_entry_and_unmatched_paths_have_no_route(run_in_sandbox):
    result, entries = _run(
        run_in_sandbox,
        _post({"title": ""}),
        HttpRequest(path="/ping"),
        HttpRequest(path="/nowhere"),
        HttpRequest(method="DELETE", path="/books"),
    )
    assert [r.status for r in result.responses] == [422, 200, 404, 405]
    assert [e["request"] for e in entries] == [0, 1, 2, 3]
    missing = [e["loc"] for e in entries[0]["raised"][0]["errors"] if e["type"] == "missing"]
    assert missing == [["body", "author"], ["body", "year"]]
    assert (entries[1]["body"], entries[1]["raised"]) == (None, [])
    assert entries[2]["route"] is None
    assert (entries[3]["route"]["path"], entries[3]["body"]) == ("/books", None)


def test_a_response_that_breaks_its_model_is_recorded_as_a_response_error(run_in_sandbox):
    code = (
        BOOKS
        + """

@app.get("/broken")
def broken() -> BookCreate:
    return {"title": "Dune"}
"""
    )
    result, (entry,) = _run(
        run_in_sandbox, HttpRequest(path="/broken"), code=code, outcome="runtime_error"
    )
    assert result.responses[0].status == 500
    ((raised),) = entry["raised"]
    assert raised["exception"] == "ResponseValidationError"
    assert {tuple(e["loc"]) for e in raised["errors"]} == {
        ("response", "author"),
        ("response", "year"),
    }


def test_app_that_is_not_fastapi_still_runs_with_the_instrument(run_in_sandbox):
    code = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""
    result, (entry,) = _run(run_in_sandbox, HttpRequest(path="/"), code=code)
    assert result.responses[0].status == 204
    assert (entry["route"], entry["body"], entry["raised"]) == (None, None, [])
