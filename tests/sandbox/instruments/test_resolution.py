"""The `resolution` instrument records FastAPI's real resolution inside the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepdive.sandbox import HttpRequest, RunRequest

EXAMPLES = Path(__file__).resolve().parents[3] / "content/lessons/05-dependencies/examples"
KEY = {"X-API-Key": "let-me-in"}


def _example(name: str) -> str:
    return (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")


def _trace(run_in_sandbox, code: str, *requests: HttpRequest, **options: Any) -> list[dict]:
    result = run_in_sandbox(
        RunRequest(code=code, requests=list(requests), instruments=["resolution"], **options)
    )
    assert result.outcome in ("ok", "http_error"), result.message
    data = result.instrumentation["resolution"]
    assert "error" not in data, data
    return data["requests"]


def _steps(trace: dict) -> list[tuple[str, str | None]]:
    return [(step["type"], step.get("dependency")) for step in trace["steps"]]


def _line_of(code: str, text: str) -> int:
    return next(n for n, line in enumerate(code.splitlines(), start=1) if text in line)


def test_nested_chain_is_recorded_in_order_with_the_shared_settings_served_from_cache(
    run_in_sandbox,
):
    code = _example("nested_dependencies")
    books = HttpRequest(path="/books", headers=KEY)
    first, second = _trace(run_in_sandbox, code, books, books)

    assert _steps(first) == [
        ("call", "get_settings"),
        ("call", "get_db_session"),
        ("cache_hit", "get_settings"),
        ("call", "require_api_key"),
        ("endpoint", "list_books"),
        ("response", None),
        ("teardown", "get_db_session"),
    ]
    settings_call, session_call, hit, key_call, endpoint, response, teardown = first["steps"]
    assert settings_call["for"] == {
        "parameter": "settings",
        "of": "get_db_session",
        "line": _line_of(code, "def get_db_session"),
    }
    assert settings_call["stored"] is True
    assert session_call["paused_at"] == _line_of(code, "yield session")
    assert session_call["args"][0]["value"]["ref"] == settings_call["result"]["ref"]
    assert hit["for"]["of"] == "require_api_key"
    assert hit["from_step"] == settings_call["n"]
    assert hit["value"]["ref"] == settings_call["result"]["ref"]
    assert {"name": "x_api_key", "value": {"text": "'let-me-in'", "type": "str"}} in (
        key_call["args"]
    )
    assert endpoint["args"][0]["value"]["ref"] == session_call["result"]["ref"]
    assert response["status"] == 200
    assert teardown["outcome"] == "finished"
    assert teardown["lines"] == [session_call["paused_at"], session_call["lines"][1]]
    assert first["calls"] == {"get_settings": 1, "get_db_session": 1, "require_api_key": 1}
    assert first["cache_hits"] == {"get_settings": 1}
    # The cache lives for one request: the second request calls get_settings again.
    assert second["calls"]["get_settings"] == 1
    assert [t["request"] for t in (first, second)] == [0, 1]


def test_use_cache_false_on_one_declaration_makes_a_second_real_call(run_in_sandbox):
    code = _example("no_cache_dependency")
    (trace,) = _trace(run_in_sandbox, code, HttpRequest(path="/books", headers=KEY))
    calls = [s for s in trace["steps"] if s.get("dependency") == "get_settings"]
    assert [(s["type"], s["use_cache"], s["stored"], s["count"]) for s in calls] == [
        ("call", True, True, 1),
        ("call", False, False, 2),
    ]
    assert trace["calls"]["get_settings"] == 2
    assert trace["cache_hits"] == {}


def test_an_override_replaces_the_dependency_and_its_sub_dependencies(run_in_sandbox):
    (trace,) = _trace(
        run_in_sandbox, _example("override_dependency"), HttpRequest(path="/books", headers=KEY)
    )
    first = trace["steps"][0]
    assert (first["dependency"], first["overrides"]) == ("get_test_session", "get_db_session")
    assert trace["overrides"] == [{"original": "get_db_session", "replacement": "get_test_session"}]
    assert trace["calls"] == {"get_test_session": 1, "get_settings": 1, "require_api_key": 1}


def test_a_rejected_key_tears_the_session_down_before_the_401_is_sent(run_in_sandbox):
    code = _example("nested_dependencies")
    (trace,) = _trace(run_in_sandbox, code, HttpRequest(path="/books", headers={"X-API-Key": "x"}))
    assert _steps(trace)[-3:] == [
        ("call", "require_api_key"),
        ("teardown", "get_db_session"),
        ("response", None),
    ]
    rejected, teardown, response = trace["steps"][-3:]
    assert rejected["raised"]["type"] == "HTTPException"
    assert teardown["thrown"]["type"] == "HTTPException"
    assert teardown["outcome"] == "re-raised"
    assert response["status"] == 401
    assert trace["status"] == 401


def test_invalid_endpoint_parameter_is_reported_after_the_dependencies_ran(run_in_sandbox):
    (trace,) = _trace(
        run_in_sandbox, _example("yield_teardown"), HttpRequest(method="POST", path="/orders/abc")
    )
    kinds = [step["type"] for step in trace["steps"]]
    assert kinds == ["call", "call", "invalid", "teardown", "teardown", "response"]
    assert trace["steps"][2]["errors"][0]["loc"] == ["path", "book_id"]
    assert [s["dependency"] for s in trace["steps"][3:5]] == [
        "begin_transaction",
        "open_connection",
    ]


def test_function_scope_teardown_happens_before_the_response(run_in_sandbox):
    (trace,) = _trace(
        run_in_sandbox,
        _example("teardown_timing"),
        HttpRequest(method="POST", path="/orders/checked"),
    )
    assert [step["type"] for step in trace["steps"]][-2:] == ["teardown", "response"]


ASYNC_APP = """
from typing import Annotated
from fastapi import Depends, FastAPI
from fastapi.security import APIKeyHeader

app = FastAPI()
header = APIKeyHeader(name="X-Key", auto_error=False)


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no")


async def settings():
    return Unprintable()


async def connection(s: Annotated[Unprintable, Depends(settings)]):
    yield "conn"


class Checker:
    async def __call__(
        self,
        key: Annotated[str | None, Depends(header)],
        s: Annotated[Unprintable, Depends(settings)],
    ):
        return key


@app.get("/x")
async def x(c: Annotated[str, Depends(connection)], k: Annotated[str, Depends(Checker())]):
    return {"c": c, "k": k}
"""


def test_async_callables_instances_and_security_schemes_are_traced_without_changing_the_app(
    run_in_sandbox,
):
    result = run_in_sandbox(
        RunRequest(
            code=ASYNC_APP,
            requests=[HttpRequest(path="/x", headers={"X-Key": "abc"})],
            instruments=["resolution"],
        )
    )
    assert result.responses[0].json_body == {"c": "conn", "k": "abc"}
    (trace,) = result.instrumentation["resolution"]["requests"]
    kinds = {s["dependency"]: s["kind"] for s in trace["steps"] if s["type"] == "call"}
    assert kinds == {
        "settings": "async function",
        "connection": "async generator",
        "APIKeyHeader instance #1": "async function",
        "Checker instance #1": "async function",
    }
    assert trace["steps"][0]["result"]["text"] == "<Unprintable: its repr() failed>"
    assert trace["cache_hits"] == {"settings": 1}


def test_requests_sent_by_the_learners_tests_are_traced_too(run_in_sandbox):
    tests = (
        "from fastapi.testclient import TestClient\nfrom app import app\n\n\n"
        "def test_books():\n"
        "    assert TestClient(app).get('/books', headers={'X-API-Key': 'let-me-in'}).status_code"
        " == 200\n"
    )
    result = run_in_sandbox(
        RunRequest(
            kind="test",
            code=_example("nested_dependencies"),
            tests=tests,
            instruments=["resolution"],
        )
    )
    assert result.outcome == "ok", result.message
    (trace,) = result.instrumentation["resolution"]["requests"]
    assert trace["calls"] == {"get_settings": 1, "get_db_session": 1, "require_api_key": 1}
