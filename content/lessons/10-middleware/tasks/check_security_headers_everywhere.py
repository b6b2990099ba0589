"""The security headers on every answer, CORS preflights included."""

import random
import secrets

# Paths drawn for every check (never the /books tried before), so only a layer that wraps every
# answer passes: a book's page for the preflight, and a page that does not exist.
BOOK = f"/books/{random.randint(1, 999_999)}"
NOWHERE = f"/{secrets.token_hex(4)}"

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def test_a_preflight_carries_the_security_headers(client):
    answer = client.options(
        BOOK,
        headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "GET"},
    )
    allowed = answer.headers.get("access-control-allow-origin")
    assert answer.status_code == 200, (
        f"The preflight from https://shop.example.com answered {answer.status_code}: keep "
        "CORSMiddleware with its settings, the preflight must still be answered by it"
    )
    assert allowed is not None, (
        "The preflight came back without Access-Control-Allow-Origin: keep CORSMiddleware, the "
        "preflight must still be answered by it"
    )
    missing = [name for name in SECURITY_HEADERS if name not in answer.headers]
    assert not missing, (
        f"The preflight for {BOOK} has no {', '.join(missing)}. CORSMiddleware answers a "
        "preflight itself, so SecurityHeadersMiddleware, inside it, never runs: add "
        "SecurityHeadersMiddleware after CORSMiddleware, so that it wraps it"
    )


def test_ordinary_answers_keep_them(client):
    for path in ("/books", NOWHERE):
        answer = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            seen = answer.headers.get(name)
            assert seen == value, (
                f"GET {path} (answered {answer.status_code}) has {name}: {seen}, expected "
                f"{value}: keep the layer, around every answer"
            )
