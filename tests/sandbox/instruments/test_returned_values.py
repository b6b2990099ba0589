"""The `returned_values` instrument: what an endpoint returned, and what FastAPI did with it."""

from __future__ import annotations

from typing import Any

from deepdive.sandbox.run_request import HttpRequest, RunRequest

USERS = """
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel


class UserOut(BaseModel):
    id: int
    username: str
    timezone: str = "UTC"


class UserInDB(UserOut):
    hashed_password: str
    is_admin: bool = False


_BOB = UserInDB(id=2, username="bob", hashed_password="$argon2id$v=19$secret")

app = FastAPI()


@app.get("/leak/{user_id}")
def leak(user_id: int):
    if user_id != 2:
        raise HTTPException(status_code=404, detail="no such user")
    return _BOB


@app.get("/public", response_model_exclude_unset=True, status_code=202)
def public() -> UserOut:
    return _BOB


@app.get("/broken", response_model=list[UserOut])
def broken() -> list[dict]:
    return [{"id": 1, "username": "alice"}, {"id": 3, "username": None}]
"""


def _run(run_in_sandbox, code: str, *paths: str, concurrent: bool = False) -> list[dict[str, Any]]:
    request = RunRequest(
        code=code,
        requests=[HttpRequest(path=path) for path in paths],
        concurrent=concurrent,
        instruments=["returned_values"],
    )
    result = run_in_sandbox(request)
    assert "error" not in result.instrumentation["returned_values"], result.instrumentation
    return result.instrumentation["returned_values"]["requests"]


def _fields(node: dict[str, Any]) -> dict[str, Any]:
    return {field["name"]: field for field in node["fields"]}


def test_without_a_response_model_the_whole_returned_model_is_recorded(run_in_sandbox):
    (entry,) = _run(run_in_sandbox, USERS, "/leak/2")
    (call,) = entry["calls"]
    assert (call["endpoint"], call["file"], call["returned"]) == ("leak", "app.py", True)
    assert call["value"]["kind"] == "model"
    assert call["value"]["type"] == "UserInDB"
    fields = _fields(call["value"])
    assert fields["hashed_password"]["value"]["repr"] == "'$argon2id$v=19$secret'"
    assert fields["timezone"]["set"] is False
    assert fields["username"]["set"] is True
    assert call["processing"] == {"kind": "encoder"}
    assert entry["route"]["path"] == "/leak/{user_id}"
    assert entry["route"]["response_model"] is None


def test_the_response_model_and_its_flags_are_recorded_with_the_route(run_in_sandbox):
    (entry,) = _run(run_in_sandbox, USERS, "/public")
    (call,) = entry["calls"]
    assert call["value"]["type"] == "UserInDB"  # the value before filtering
    assert call["processing"]["kind"] == "model"
    assert call["processing"]["model"] == "UserOut"
    assert call["processing"]["flags"] == ["exclude_unset"]
    route = entry["route"]
    assert (route["status_code"], route["response_model"], route["methods"]) == (
        202,
        "UserOut",
        ["GET"],
    )


def test_a_value_that_breaks_the_model_carries_the_validation_errors(run_in_sandbox):
    (entry,) = _run(run_in_sandbox, USERS, "/broken")
    (call,) = entry["calls"]
    assert call["value"]["kind"] == "sequence"
    assert call["value"]["length"] == 2
    (error,) = call["response_errors"]
    assert error["loc"] == ["response", 1, "username"]
    assert error["type"] == "string_type"
    assert error["input"]["repr"] == "None"
    assert call["processing"]["model"] == "list[UserOut]"


def test_an_exception_is_recorded_instead_of_a_value(run_in_sandbox):
    (entry,) = _run(run_in_sandbox, USERS, "/leak/7")
    (call,) = entry["calls"]
    assert call["returned"] is False
    assert "value" not in call
    assert call["raised"] == {
        "type": "HTTPException",
        "message": "404: no such user",
        "status_code": 404,
    }


def test_a_rejected_request_or_an_unknown_path_runs_no_endpoint(run_in_sandbox):
    rejected, unknown = _run(run_in_sandbox, USERS, "/leak/two", "/nowhere")
    assert rejected["calls"] == []
    assert rejected["route"]["path"] == "/leak/{user_id}"
    assert unknown == {"request": 1, "route": None, "calls": []}


def test_a_returned_response_is_marked_as_sent_unchanged(run_in_sandbox):
    code = """
from fastapi import FastAPI
from fastapi.responses import JSONResponse
app = FastAPI()

@app.get("/raw", response_model=dict[str, int])
def raw():
    return JSONResponse({"token": "abc"}, status_code=203)
"""
    (entry,) = _run(run_in_sandbox, code, "/raw")
    (call,) = entry["calls"]
    assert call["processing"] == {"kind": "response", "response_class": "JSONResponse"}
    assert call["value"]["kind"] == "response"
    assert call["value"]["status_code"] == 203
    assert call["value"]["body"] == '{"token":"abc"}'


def test_routers_middleware_and_concurrency_keep_each_request_apart(run_in_sandbox):
    code = """
import asyncio
from fastapi import APIRouter, FastAPI, Request

router = APIRouter(prefix="/api")

@router.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    await asyncio.sleep(0.05 * (3 - item_id))
    return {"item": item_id}

app = FastAPI()
app.include_router(router)

@app.middleware("http")
async def passthrough(request: Request, call_next):
    return await call_next(request)
"""
    entries = _run(run_in_sandbox, code, "/api/items/1", "/api/items/2", concurrent=True)
    assert [entry["request"] for entry in entries] == [0, 1]
    for index, entry in enumerate(entries, start=1):
        assert entry["route"]["path"] == "/api/items/{item_id}"
        (call,) = entry["calls"]
        assert call["value"]["items"][0]["value"]["repr"] == str(index)


def test_awkward_values_are_described_without_being_consumed_or_crashing(run_in_sandbox):
    code = """
from dataclasses import dataclass
from fastapi import FastAPI
app = FastAPI()

class Grumpy:
    def __repr__(self):
        raise RuntimeError("no")

class Row:  # like an ORM object: plain attributes, private state
    def __init__(self):
        self._state = "hidden"
        self.title = "Dune"

@dataclass
class Point:
    x: int
    y: int

def numbers():
    yield from range(3)

@app.get("/values", response_model=None)
def values():
    return {
        "big": list(range(500)),
        "grumpy": Grumpy(),
        "row": Row(),
        "point": Point(1, 2),
        "numbers": numbers(),
        1: "int key",
    }
"""
    (entry,) = _run(run_in_sandbox, code, "/values")
    items = {item["key"]: item["value"] for item in entry["calls"][0]["value"]["items"]}
    assert items["big"]["length"] == 500
    assert items["big"]["truncated"] is True
    assert len(items["big"]["items"]) < 500
    assert "repr() failed" in items["grumpy"]["repr"]
    assert items["row"]["kind"] == "object"
    assert [f["name"] for f in items["row"]["fields"]] == ["title"]
    assert [f["name"] for f in items["point"]["fields"]] == ["x", "y"]
    assert items["numbers"]["kind"] == "scalar"
    assert items["1"]["repr"] == "'int key'"


def test_the_instrument_leaves_the_response_unchanged(run_in_sandbox):
    code = """
from fastapi import FastAPI
app = FastAPI()

def numbers():
    yield from range(3)

class Exploding(dict):
    def items(self):
        raise RuntimeError("items() is off limits")

@app.get("/generator", response_model=None)
def generator():
    return {"numbers": numbers()}

@app.get("/exploding", response_model=None)
def exploding():
    return [Exploding(a=1)]
"""
    request = RunRequest(
        code=code,
        requests=[HttpRequest(path="/generator"), HttpRequest(path="/exploding")],
        instruments=["returned_values"],
    )
    plain = run_in_sandbox(request.model_copy(update={"instruments": []}))
    watched = run_in_sandbox(request)
    # Describing the value did not drain the generator: the encoder still sends every number.
    assert watched.responses[0].json_body == {"numbers": [0, 1, 2]}
    for before, after in zip(plain.responses, watched.responses, strict=True):
        assert (before.status, before.body) == (after.status, after.body)
    entries = watched.instrumentation["returned_values"]["requests"]
    (item,) = entries[1]["calls"][0]["value"]["items"]
    assert "could not be described: RuntimeError" in item["value"]["repr"]


def test_an_app_that_is_not_fastapi_still_runs(run_in_sandbox):
    code = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def home(request):
    return JSONResponse({"ok": True})

app = Starlette(routes=[Route("/", home)])
"""
    result = run_in_sandbox(
        RunRequest(code=code, requests=[HttpRequest(path="/")], instruments=["returned_values"])
    )
    assert result.responses[0].json_body == {"ok": True}
    (entry,) = result.instrumentation["returned_values"]["requests"]
    assert entry["calls"] == []
