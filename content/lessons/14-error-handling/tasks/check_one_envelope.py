"""Task: every 4xx body is the envelope {"error": <code>, "message": <sentence>, ...}."""

import random
import string

# Amounts drawn for every check, so only a wallet that works with the amount it is sent passes:
# more than the balance of 100 (and than the 150 tried before), a negative one, a word, and one
# the wallet can pay.
TOO_MUCH = random.randint(151, 5000)
NEGATIVE = -random.randint(1, 500)
WORD = "".join(random.choices(string.ascii_lowercase, k=5))
PAID = random.randint(1, 99)


def _envelope(response, what):
    body = response.json() if "json" in response.headers.get("content-type", "") else None
    assert isinstance(body, dict), f"{what} answered {response.text!r}, which is no JSON object"
    kinds = (type(body.get("error")), type(body.get("message")))
    assert kinds == (str, str), (
        f"{what} answered {body}: every error body needs an `error` code and a `message`"
    )
    return body


def test_over_withdrawal_is_a_402_envelope(client):
    response = client.post("/withdraw", json={"amount": TOO_MUCH})
    assert response.status_code == 402, f"Withdrawing {TOO_MUCH} answered {response.status_code}"
    body = _envelope(response, f"Withdrawing {TOO_MUCH}")
    assert body["error"] == "insufficient_funds", (
        f'Withdrawing {TOO_MUCH} gave error {body["error"]!r}; keep "insufficient_funds"'
    )
    assert (body.get("balance"), body.get("needed")) == (100, TOO_MUCH), (
        f"Withdrawing {TOO_MUCH} gave {body}: keep the balance (100) and what was needed "
        f"({TOO_MUCH}), from the exception"
    )


def test_validation_errors_are_envelopes(client):
    for amount in (WORD, NEGATIVE):
        response = client.post("/withdraw", json={"amount": amount})
        assert response.status_code == 422, (
            f"Withdrawing {amount!r} answered {response.status_code}"
        )
        body = _envelope(response, f"Withdrawing {amount!r}")
        assert "detail" not in body, (
            f"Withdrawing {amount!r} still answers FastAPI's {{'detail': [...]}}: register a "
            "handler for RequestValidationError"
        )
        assert body["error"] == "validation_failed", (
            f'Withdrawing {amount!r} gave error {body["error"]!r}; use "validation_failed"'
        )


def test_http_exceptions_are_envelopes_and_keep_their_headers(client):
    response = client.get("/vault")
    body = _envelope(response, "GET /vault")
    assert response.status_code == 401, f"GET /vault answered {response.status_code}"
    assert response.headers.get("www-authenticate") == "Bearer", (
        "GET /vault lost its WWW-Authenticate header: pass exc.headers on to the response"
    )
    assert body["error"] == "not_authenticated", (
        f'GET /vault gave error {body["error"]!r}; a 401 is "not_authenticated"'
    )


def test_unknown_routes_are_envelopes(client):
    response = client.get("/no-such-page")
    body = _envelope(response, "GET /no-such-page")
    assert (response.status_code, body["error"]) == (404, "not_found"), (
        f"GET /no-such-page answered {response.status_code} {body}; expected a 404 not_found"
    )


def test_the_wallet_still_works(client):
    response = client.post("/withdraw", json={"amount": PAID})
    assert (response.status_code, response.json()) == (200, {"balance": 100 - PAID}), (
        f"Withdrawing {PAID} answered {response.status_code} {response.text}; it should leave "
        f"{100 - PAID}"
    )
