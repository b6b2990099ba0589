"""Every instrument's data has a documented model, and the runner passes on only data that fits
it: whatever the learner's code does to an instrument, a widget gets its fields or `error`."""

from __future__ import annotations

import pytest

from deepdive.sandbox import HttpRequest, RunRequest, instruments

APP = """
from typing import Annotated
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class Book(BaseModel):
    title: str = Field(min_length=1)
    year: int = Field(ge=1000)


def get_settings() -> dict:
    return {"debug": False}


def get_db(settings: Annotated[dict, Depends(get_settings)]):
    yield "session"


@app.get("/books/{book_id}")
def read_book(book_id: int, db: Annotated[str, Depends(get_db)]) -> Book:
    return Book(title="Dune", year=1965)


@app.post("/books", status_code=201)
def create_book(book: Book) -> Book:
    return book
"""

REQUESTS = [
    HttpRequest(path="/books/1"),
    HttpRequest(path="/books/abc"),
    HttpRequest(method="POST", path="/books", json_body={"title": "", "year": 5}),
    HttpRequest(path="/nowhere"),
]


@pytest.mark.parametrize("name", instruments.load_all())
def test_each_instrument_reports_data_that_fits_its_documented_model(run_in_sandbox, name):
    result = run_in_sandbox(RunRequest(code=APP, requests=REQUESTS, instruments=[name]))
    assert result.outcome == "ok", result.message
    data = result.instrumentation[name]
    assert "error" not in data, data
    instruments.result_model(name).model_validate(data)


def test_an_instrument_the_learner_rewired_becomes_a_clear_message(run_in_sandbox):
    code = APP + (
        "\nimport sys\n"
        "timeline = sys.modules['deepdive.sandbox.instruments.timeline'].Timeline\n"
        "timeline.result = lambda self: {'requests': 'all of them', 'total_ms': 'soon'}\n"
    )
    result = run_in_sandbox(RunRequest(code=code, requests=REQUESTS, instruments=["timeline"]))
    assert result.outcome == "ok"
    error = result.instrumentation["timeline"]["error"]
    assert error.startswith("the timeline instrument returned data in an unexpected shape")


def test_an_oversized_instrument_result_becomes_a_clear_message(run_in_sandbox):
    code = APP + (
        "\nimport sys\n"
        "routing = sys.modules['deepdive.sandbox.instruments.routing'].Routing\n"
        "routing.result = lambda self: {'routes': [], 'requests': ['x' * 1000] * 6000}\n"
    )
    result = run_in_sandbox(RunRequest(code=code, requests=REQUESTS, instruments=["routing"]))
    assert result.outcome == "ok"
    assert "too much to show" in result.instrumentation["routing"]["error"]


def test_instrument_data_nobody_asked_for_is_dropped(run_in_sandbox):
    code = APP + (
        "\nimport sys\n"
        "base = sys.modules['deepdive.sandbox.instruments'].Instruments\n"
        "original = base.results\n"
        "base.results = lambda self: {**original(self), 'injected': {'secret': 1}}\n"
    )
    result = run_in_sandbox(RunRequest(code=code, requests=REQUESTS, instruments=["openapi"]))
    assert set(result.instrumentation) == {"openapi"}
    assert result.instrumentation["openapi"]["available"] is True


def test_a_run_stopped_by_a_limit_says_the_instrument_could_not_report(run_in_sandbox):
    code = APP + "\n@app.get('/spin')\ndef spin():\n    while True:\n        pass\n"
    request = RunRequest(
        code=code,
        requests=[HttpRequest(path="/spin")],
        instruments=["timeline"],
        limits={"wall_seconds": 1, "cpu_seconds": 1},
    )
    result = run_in_sandbox(request)
    assert result.outcome == "timeout"
    assert "error" in result.instrumentation["timeline"] or (
        instruments.result_model("timeline").model_validate(result.instrumentation["timeline"])
    )
