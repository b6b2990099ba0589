"""The `tokens` instrument takes each request's JWTs apart and records what PyJWT said, and
`advance_clock_past` moves the clock to just past a captured token's expiry."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepdive.sandbox import HttpRequest, RunRequest
from deepdive.sandbox.instruments import result_model
from deepdive.sandbox.instruments.tokens import take_apart

APP = """
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

SECRET = "a-secret-long-enough-for-hs512-to-be-happy-with-it-64-bytes-long!!"
ALGORITHM = "HS256"
LIFETIME = timedelta(minutes=7)
app = FastAPI()
scheme = OAuth2PasswordBearer(tokenUrl="token")


@app.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    if form.password != "right":
        raise HTTPException(401, "wrong password", headers={"WWW-Authenticate": "Bearer"})
    claims = {"sub": form.username, "exp": datetime.now(UTC) + LIFETIME}
    return {"access_token": jwt.encode(claims, SECRET, algorithm=ALGORITHM)}


@app.get("/me")
def me(token: Annotated[str, Depends(scheme)]):
    try:
        return jwt.decode(token, SECRET, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError:
        raise HTTPException(401, "bad token", headers={"WWW-Authenticate": "Bearer"}) from None
"""

LOG_IN = HttpRequest(
    method="POST",
    path="/token",
    form={"username": "alice", "password": "right"},
    capture={"token": "json.access_token"},
)


def _me(token: str = "{{token}}", **fields) -> HttpRequest:
    return HttpRequest(path="/me", headers={"Authorization": f"Bearer {token}"}, **fields)


def _run(run_in_sandbox, *requests, code=APP):
    result = run_in_sandbox(RunRequest(code=code, requests=list(requests), instruments=["tokens"]))
    assert result.outcome == "ok", result.message
    data = result.instrumentation["tokens"]
    result_model("tokens").model_validate(data)
    return result.responses, data["requests"]


def test_an_issued_token_is_taken_apart_and_its_encode_call_recorded(run_in_sandbox):
    _, [entry] = _run(run_in_sandbox, LOG_IN)
    [issued] = entry["issued"]
    assert issued["header"] == {"alg": "HS256", "typ": "JWT"}
    assert issued["payload"]["sub"] == "alice"
    assert issued["expires_at"].endswith("Z")
    assert issued["payload"]["exp"] - entry["clock"]["now"] == pytest.approx(420, abs=2)
    [call] = entry["calls"]
    assert call["function"] == "encode"
    assert call["algorithms"] == ["HS256"]
    assert call["claims"]["sub"] == "alice"


def test_a_tampered_payload_is_reported_as_pyjwt_refused_it(run_in_sandbox):
    responses, entries = _run(run_in_sandbox, LOG_IN, _me("{{token|jwt_claim:sub=mallory}}"))
    assert responses[1].status == 401
    sent = entries[1]["sent"]["token"]
    assert sent["payload"]["sub"] == "mallory"
    [call] = entries[1]["calls"]
    assert call["function"] == "decode"
    assert call["raised"] == "InvalidSignatureError"


def test_advance_clock_past_expires_the_token_whatever_its_lifetime(run_in_sandbox):
    responses, entries = _run(run_in_sandbox, LOG_IN, _me(advance_clock_past="token"))
    assert responses[1].status == 401
    assert entries[1]["calls"][0]["raised"] == "ExpiredSignatureError"
    assert entries[1]["clock"]["moved_s"] == pytest.approx(421, abs=2)
    assert entries[1]["clock"]["now"] > entries[1]["sent"]["token"]["payload"]["exp"]


def test_another_secret_is_signed_with_the_tokens_own_algorithm(run_in_sandbox):
    code = APP.replace('ALGORITHM = "HS256"', 'ALGORITHM = "HS512"')
    responses, entries = _run(run_in_sandbox, LOG_IN, _me("{{token|jwt_sign:guess}}"), code=code)
    assert responses[1].status == 401
    assert entries[1]["sent"]["token"]["header"]["alg"] == "HS512"
    assert entries[1]["calls"][0]["raised"] == "InvalidSignatureError"


def test_advance_clock_past_a_value_that_was_not_captured_is_not_sent(run_in_sandbox):
    failed_login = LOG_IN.model_copy(update={"form": {"username": "alice", "password": "no"}})
    responses, _ = _run(run_in_sandbox, failed_login, _me(advance_clock_past="token"))
    assert responses[1].status == 0
    assert "answered 401" in responses[1].skipped


def test_advance_clock_past_needs_an_earlier_capture():
    with pytest.raises(ValidationError, match="no earlier request captures"):
        RunRequest(code=APP, requests=[_me("x", advance_clock_past="token")])


def test_no_header_and_another_scheme_are_told_apart(run_in_sandbox):
    basic = HttpRequest(path="/me", headers={"Authorization": "Basic YWxpY2U6cmlnaHQ="})
    responses, entries = _run(run_in_sandbox, HttpRequest(path="/me"), basic)
    assert [r.status for r in responses] == [401, 401]
    assert entries[0]["sent"] == {"header": None}
    assert entries[1]["sent"]["scheme"] == "Basic"
    assert entries[0]["calls"] == []
    assert entries[1]["calls"] == []


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("", "empty"),
        ("...", "this one has 4 parts"),
        ("x" * 100_000, "100,000 characters long"),
        ("a!b.c@d.e#f", "characters that base64url does not use"),
        ("bm90IGpzb24.e30.c2ln", "header part does not decode to JSON"),
        ("WzFd.e30.c2ln", "header part is JSON, but not an object"),
        ("onlyonepart", "this one has 1 part."),
    ],
)
def test_every_bad_shape_has_a_sentence(token, problem):
    view = take_apart(token)
    assert problem in view["problem"]
    assert "payload" not in view


def test_bad_tokens_reach_the_app_and_are_refused_with_the_reason_recorded(run_in_sandbox):
    responses, entries = _run(run_in_sandbox, _me("..."), _me("x" * 100_000))
    assert [r.status for r in responses] == [401, 401]
    assert entries[0]["calls"][0]["raised"] == "DecodeError"
    assert entries[1]["sent"]["token"]["length"] == 100_000
    assert len(entries[1]["sent"]["token"]["preview"]) == 120


def test_a_header_http_cannot_carry_is_not_sent_and_the_run_goes_on(run_in_sandbox):
    responses, _ = _run(run_in_sandbox, _me("h€ader.x.y"), HttpRequest(path="/me"))
    assert responses[0].status == 0
    assert "'€', which HTTP headers cannot carry" in responses[0].skipped
    assert responses[1].status == 401
