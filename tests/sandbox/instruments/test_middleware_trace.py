"""The `middleware_trace` instrument: every layer's way in and out, headers, early answers, logs."""

from __future__ import annotations

from deepdive.sandbox.run_request import HttpRequest, RunRequest

STACK = """\
import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from starlette.datastructures import MutableHeaders

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("shop")


class Tag:
    def __init__(self, app, name):
        self.app = app
        self.name = name

    async def __call__(self, scope, receive, send):
        async def tagged(message):
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-" + self.name] = "yes"
            await send(message)

        await self.app(scope, receive, tagged)


app = FastAPI()


@app.get("/")
def home():
    log.info("home", extra={"request_id": "r-1"})
    return {"ok": True}


app.add_middleware(Tag, name="Inner")
app.add_middleware(CORSMiddleware, allow_origins=["https://shop.example"])


@app.middleware("http")
async def gate(request: Request, call_next):
    if request.headers.get("x-block"):
        return PlainTextResponse("no", status_code=403)
    response = await call_next(request)
    response.headers["X-Gate"] = "passed"
    return response
"""


def _trace(run_in_sandbox, code: str, *requests: HttpRequest) -> tuple[dict, list]:
    result = run_in_sandbox(
        RunRequest(code=code, requests=list(requests), instruments=["middleware_trace"])
    )
    return result.instrumentation["middleware_trace"], result.responses


def _own(data: dict) -> dict[str, int]:
    return {layer["name"]: layer["index"] for layer in data["layers"] if layer["own"]}


def test_layers_are_listed_outermost_first_with_the_learners_own_marked(run_in_sandbox):
    data, _ = _trace(run_in_sandbox, STACK, HttpRequest(path="/"))
    names = [layer["name"] for layer in data["layers"]]
    assert names[0] == "ServerErrorMiddleware"
    assert names[-1] == "router (your routes)"
    own = _own(data)
    assert own["gate"] < own["CORSMiddleware"] < own["Tag"]
    gate = data["layers"][own["gate"]]
    assert (gate["kind"], gate["file"], gate["line"]) == ("http", "app.py", 39)
    assert data["layers"][own["Tag"]]["options"] == "name='Inner'"


def test_each_layer_is_entered_in_order_and_left_in_reverse(run_in_sandbox):
    data, _ = _trace(run_in_sandbox, STACK, HttpRequest(path="/"))
    (request,) = data["requests"]
    ins = [event["layer"] for event in request["events"] if event["phase"] == "in"]
    outs = [event["layer"] for event in request["events"] if event["phase"] == "out"]
    assert ins == list(range(len(data["layers"])))
    assert outs == ins[::-1]
    assert request["skipped"] == []
    for visit in request["visits"]:
        assert visit["total_ms"] >= visit["own_ms"] >= 0


def test_each_layer_is_credited_with_the_headers_it_added(run_in_sandbox):
    data, _ = _trace(
        run_in_sandbox, STACK, HttpRequest(path="/", headers={"Origin": "https://shop.example"})
    )
    own = _own(data)
    visits = {visit["layer"]: visit for visit in data["requests"][0]["visits"]}
    assert visits[own["Tag"]]["added"] == [["x-inner", "yes"]]
    assert ["access-control-allow-origin", "https://shop.example"] in visits[own["CORSMiddleware"]][
        "added"
    ]
    assert visits[own["gate"]]["added"] == [["x-gate", "passed"]]
    router = visits[len(data["layers"]) - 1]
    assert router["answered"]
    assert router["status"] == 200


def test_a_layer_that_answers_itself_shows_the_layers_it_skipped(run_in_sandbox):
    data, responses = _trace(run_in_sandbox, STACK, HttpRequest(path="/", headers={"X-Block": "1"}))
    assert responses[0].status == 403
    own = _own(data)
    (request,) = data["requests"]
    assert request["skipped"] == list(range(own["gate"] + 1, len(data["layers"])))
    gate = next(visit for visit in request["visits"] if visit["layer"] == own["gate"])
    assert gate["answered"]
    assert gate["status"] == 403


def test_a_refused_preflight_is_answered_by_cors_with_its_headers(run_in_sandbox):
    preflight = HttpRequest(
        method="OPTIONS",
        path="/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    data, responses = _trace(run_in_sandbox, STACK, preflight)
    assert responses[0].status == 400
    cors = _own(data)["CORSMiddleware"]
    visit = next(v for v in data["requests"][0]["visits"] if v["layer"] == cors)
    assert visit["answered"]
    assert visit["status"] == 400
    assert "access-control-allow-origin" not in dict(visit["headers"])
    assert _own(data)["Tag"] in data["requests"][0]["skipped"]


def test_log_records_carry_level_logger_request_id_and_the_layer_running(run_in_sandbox):
    data, _ = _trace(run_in_sandbox, STACK, HttpRequest(path="/"))
    (record,) = [entry for entry in data["logs"] if entry["logger"] == "shop"]
    assert record["level"] == "INFO"
    assert record["message"] == "home"
    assert record["request_id"] == "r-1"
    assert record["request"] == 0
    assert record["layer"] == len(data["layers"]) - 1
    assert (record["file"], record["line"]) == ("app.py", 31)


def test_a_middleware_that_does_not_await_call_next_is_named_with_its_line(run_in_sandbox):
    code = STACK.replace("response = await call_next(request)", "response = call_next(request)")
    data, responses = _trace(run_in_sandbox, code, HttpRequest(path="/"))
    assert responses[0].status == 500
    problem = data["requests"][0]["problem"]
    assert "`gate` did not await `call_next(request)`" in problem["message"]
    assert (problem["file"], problem["line"]) == ("app.py", 44)
    assert _own(data)["Tag"] in data["requests"][0]["skipped"]


def test_a_middleware_that_cannot_be_created_says_how_starlette_creates_it(run_in_sandbox):
    code = STACK.replace("    def __init__(self, app, name):", "    def __init__(self, name):")
    data, _ = _trace(run_in_sandbox, code, HttpRequest(path="/"))
    error = data["stack_error"]
    assert "The middleware stack could not be built (TypeError:" in error["message"]
    assert "`cls(app, **options)`" in error["message"]
    assert data["requests"] == []


def test_a_stack_that_builds_has_no_stack_error(run_in_sandbox):
    data, _ = _trace(run_in_sandbox, STACK, HttpRequest(path="/"))
    assert data["stack_error"] is None
