"""A run's requests can use values from earlier responses, and can move the sandbox's clock."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepdive.sandbox import HttpRequest, RunRequest

AUTH_APP = """
from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.security import OAuth2PasswordBearer

SECRET = "correct horse battery staple"
app = FastAPI()
scheme = OAuth2PasswordBearer(tokenUrl="token")


@app.post("/token")
def token(username: Annotated[str, Form()], password: Annotated[str, Form()]):
    if password != "secret":
        raise HTTPException(401, "wrong password", headers={"WWW-Authenticate": "Bearer"})
    expires = datetime.now(timezone.utc) + timedelta(minutes=5)
    issued = jwt.encode({"sub": username, "exp": expires}, SECRET, algorithm="HS256")
    return {"access_token": issued, "token_type": "bearer", "lifetime": 300}


@app.get("/me")
def me(token: Annotated[str, Depends(scheme)]):
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.PyJWTError as problem:
        raise HTTPException(401, str(problem), headers={"WWW-Authenticate": "Bearer"})
    return {"user": claims["sub"]}


@app.get("/echo/{value}")
def echo(value: str, seen: int = 0):
    return {"value": value, "seen": seen}


@app.post("/typed")
def typed(body: dict):
    return {"types": {key: type(value).__name__ for key, value in body.items()}}
"""

LOG_IN = HttpRequest(
    method="POST",
    path="/token",
    form={"username": "alice", "password": "secret"},
    capture={"token": "json.access_token", "lifetime": "json.lifetime"},
)


def _me(token: str = "{{token}}", **fields) -> HttpRequest:
    return HttpRequest(path="/me", headers={"Authorization": f"Bearer {token}"}, **fields)


def _run(run_in_sandbox, *requests: HttpRequest):
    result = run_in_sandbox(RunRequest(code=AUTH_APP, requests=list(requests)))
    assert result.outcome == "ok", result.message
    return result.responses


def test_a_token_from_one_response_authorises_the_next_request(run_in_sandbox):
    login, me = _run(run_in_sandbox, LOG_IN, _me())
    assert login.status == 200
    assert me.status == 200
    assert me.json_body == {"user": "alice"}
    token = login.json_body["access_token"]
    assert me.sent_request is not None
    assert me.sent_request.headers["Authorization"] == f"Bearer {token}"


def test_a_request_whose_value_is_missing_is_not_sent_and_says_why(run_in_sandbox):
    wrong = LOG_IN.model_copy(update={"form": {"username": "alice", "password": "guess"}})
    login, me = _run(run_in_sandbox, wrong, _me())
    assert login.status == 401
    assert me.status == 0
    assert me.skipped == (
        "Not sent: it needs {{token}}, but POST /token answered 401 and the JSON body has no "
        "access_token."
    )


def test_captured_values_go_into_the_path_the_query_and_keep_their_type_in_json(run_in_sandbox):
    _, echoed, typed = _run(
        run_in_sandbox,
        LOG_IN,
        HttpRequest(path="/echo/{{lifetime}}", query={"seen": "{{lifetime}}"}),
        HttpRequest(
            method="POST", path="/typed", json_body={"n": "{{lifetime}}", "s": "x{{lifetime}}"}
        ),
    )
    assert echoed.json_body == {"value": "300", "seen": 300}
    assert typed.json_body == {"types": {"n": "int", "s": "str"}}


def test_the_clock_moved_past_exp_makes_the_same_token_expire(run_in_sandbox):
    _login, fresh, later = _run(run_in_sandbox, LOG_IN, _me(), _me(advance_clock=301))
    assert (fresh.status, later.status) == (200, 401)
    assert later.json_body == {"detail": "Signature has expired"}


@pytest.mark.parametrize(
    ("tampered", "detail"),
    [
        ("{{token|jwt_claim:sub=mallory}}", "Signature verification failed"),
        ("{{token|jwt_alg_none}}", "The specified alg value is not allowed"),
        ("{{token|jwt_sign:another-secret}}", "Signature verification failed"),
    ],
)
def test_tampered_tokens_are_rejected_by_the_learners_own_check(run_in_sandbox, tampered, detail):
    _, me = _run(run_in_sandbox, LOG_IN, _me(tampered))
    assert me.status == 401
    assert me.json_body == {"detail": detail}


def test_requests_that_use_values_nobody_captures_are_refused_before_running():
    with pytest.raises(ValidationError, match="which no earlier request captures"):
        RunRequest(code=AUTH_APP, requests=[_me(), LOG_IN])
    with pytest.raises(ValidationError, match="cannot use each other's values"):
        RunRequest(code=AUTH_APP, requests=[LOG_IN, _me()], concurrent=True)
    with pytest.raises(ValidationError, match="unknown filter 'jwt_forge'"):
        RunRequest(code=AUTH_APP, requests=[LOG_IN, _me("{{token|jwt_forge}}")])


CLOCK_APP = """
import datetime as dt
import time
from datetime import date, datetime, timezone

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
started = time.monotonic()


class Stamp(BaseModel):
    at: datetime


@app.get("/now")
def now():
    parsed = Stamp(at="2020-01-01T00:00:00Z").at
    return {
        "time": time.time(),
        "now": datetime.now(timezone.utc).timestamp(),
        "module_now": dt.datetime.now().timestamp(),
        "today": date.today().isoformat(),
        "is_datetime": isinstance(datetime.now(), datetime) and isinstance(parsed, datetime),
        "repr": repr(datetime(2020, 1, 2)),
        "monotonic": time.monotonic() - started,
    }
"""


def test_moving_the_clock_moves_every_wall_clock_the_app_can_read(run_in_sandbox):
    day = 24 * 3600
    requests = [HttpRequest(path="/now"), HttpRequest(path="/now", advance_clock=3 * day)]
    result = run_in_sandbox(RunRequest(code=CLOCK_APP, requests=requests))
    assert result.outcome == "ok", result.message
    before, after = (response.json_body for response in result.responses)
    for key in ("time", "now", "module_now"):
        assert 3 * day <= after[key] - before[key] < 3 * day + 5, key
    assert after["today"] > before["today"]
    assert before["is_datetime"]
    assert after["is_datetime"]
    assert after["repr"] == "datetime.datetime(2020, 1, 2, 0, 0)"
    assert after["monotonic"] - before["monotonic"] < 5  # monotonic clocks do not jump
