"""Task: every 4xx body is the envelope {"error": <code>, "message": <sentence>, ...}."""


def _envelope(response, what):
    body = response.json() if "json" in response.headers.get("content-type", "") else None
    assert isinstance(body, dict), f"{what} answered {response.text!r}, which is no JSON object"
    kinds = (type(body.get("error")), type(body.get("message")))
    assert kinds == (str, str), (
        f"{what} answered {body}: every error body needs an `error` code and a `message`"
    )
    return body


def test_over_withdrawal_is_a_402_envelope(client):
    response = client.post("/withdraw", json={"amount": 150})
    assert response.status_code == 402, f"Withdrawing 150 answered {response.status_code}"
    body = _envelope(response, "Withdrawing 150")
    assert body["error"] == "insufficient_funds", (
        f'Withdrawing 150 gave error {body["error"]!r}; keep "insufficient_funds"'
    )
    assert (body.get("balance"), body.get("needed")) == (100, 150), (
        f"Withdrawing 150 gave {body}: keep the balance (100) and what was needed (150)"
    )


def test_validation_errors_are_envelopes(client):
    for amount in ("abc", -5):
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
    response = client.post("/withdraw", json={"amount": 30})
    assert (response.status_code, response.json()) == (200, {"balance": 70}), (
        f"Withdrawing 30 answered {response.status_code} {response.text}; it should leave 70"
    )
