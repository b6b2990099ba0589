"""The `routing` instrument: which route answered, what it captured, the order routes are tried."""

from __future__ import annotations

from deepdive.sandbox.run_request import HttpRequest, RunRequest

SHADOWED = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/books/{book_id}")
def read_book(book_id: int):
    return {"id": book_id}


@app.get("/books/featured")
def featured_books():
    return {"featured": []}
"""


def _routing(run_in_sandbox, code: str, *requests: HttpRequest) -> dict:
    result = run_in_sandbox(RunRequest(code=code, requests=list(requests), instruments=["routing"]))
    return result.instrumentation["routing"]


def test_the_template_declared_first_answers_for_the_fixed_path(run_in_sandbox):
    data = _routing(run_in_sandbox, SHADOWED, HttpRequest(path="/books/featured"))
    (seen,) = data["requests"]
    assert seen["route"]["path"] == "/books/{book_id}"
    assert seen["route"]["function"] == "read_book"
    assert (seen["route"]["file"], seen["route"]["line"]) == ("app.py", 6)
    assert seen["path_params"] == [{"name": "book_id", "value": "featured", "start": 7, "end": 15}]


def test_routes_are_listed_in_the_order_the_router_tries_them(run_in_sandbox):
    data = _routing(run_in_sandbox, SHADOWED)
    learner = [route for route in data["routes"] if route["learner"]]
    assert [(r["path"], r["function"], r["line"]) for r in learner] == [
        ("/books/{book_id}", "read_book", 6),
        ("/books/featured", "featured_books", 11),
    ]
    assert learner[0]["methods"] == ["GET"]
    builtin = [route["path"] for route in data["routes"] if not route["learner"]]
    assert "/openapi.json" in builtin
    positions = [route["position"] for route in data["routes"]]
    assert positions == list(range(len(positions)))


def test_query_string_is_reported_as_the_app_received_it(run_in_sandbox):
    request = HttpRequest(path="/books/7", query={"limit": "500", "in_stock": "yes"})
    (seen,) = _routing(run_in_sandbox, SHADOWED, request)["requests"]
    assert seen["query_string"] == "limit=500&in_stock=yes"
    assert seen["path_params"][0]["value"] == "7"


def test_a_path_that_matches_no_route_has_no_route(run_in_sandbox):
    data = _routing(run_in_sandbox, SHADOWED, HttpRequest(path="/authors"))
    assert data["requests"][0]["route"] is None
    assert data["requests"][0]["path_params"] == []


def test_each_request_is_reported_in_the_order_it_was_sent(run_in_sandbox):
    requests = [HttpRequest(path="/books/1"), HttpRequest(path="/nowhere")]
    data = _routing(run_in_sandbox, SHADOWED, *requests)
    assert [item["request"] for item in data["requests"]] == [0, 1]
    assert [item["path"] for item in data["requests"]] == ["/books/1", "/nowhere"]


def test_a_plain_asgi_app_is_described_without_routes(run_in_sandbox):
    code = (
        "async def app(scope, receive, send):\n"
        "    await send({'type': 'http.response.start', 'status': 204, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b''})\n"
    )
    data = _routing(run_in_sandbox, code, HttpRequest(path="/"))
    assert data["routes"] == []
    assert data["requests"][0]["route"] is None


def test_an_app_that_fails_to_import_still_gives_an_empty_report(run_in_sandbox):
    result = run_in_sandbox(
        RunRequest(code="app = 1 / 0\n", requests=[HttpRequest()], instruments=["routing"])
    )
    assert result.outcome in ("import_error", "runtime_error")
    assert result.instrumentation["routing"] == {"routes": [], "requests": []}
