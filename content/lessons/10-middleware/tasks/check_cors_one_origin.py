"""Allow https://shop.example.com, with credentials, and refuse every other origin."""

import random
import secrets

SHOP = "https://shop.example.com"
# Another origin drawn for every check (never the https://evil.example tried before), so only
# an app that trusts the shop alone refuses it.
ELSEWHERE = (
    f"{random.choice(('https', 'http'))}://"
    f"{random.choice(('evil', 'tracker', 'ads', 'phish'))}-{secrets.token_hex(3)}"
    f".{random.choice(('example', 'example.net', 'example.org'))}"
)


def _preflight(client, origin):
    return client.options(
        "/books", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )


def test_the_shop_may_send_credentialed_requests(client):
    answer = _preflight(client, SHOP)
    assert answer.status_code == 200, (
        f"A preflight from {SHOP} was refused ({answer.status_code} {answer.text!r}): list the "
        "origin exactly as a browser sends it, scheme and host with no path and no trailing slash"
    )
    allowed = answer.headers.get("access-control-allow-origin")
    assert allowed == SHOP, (
        f"The preflight from {SHOP} answered Access-Control-Allow-Origin: {allowed}. It must name "
        f"{SHOP} itself: a browser never sends cookies to an answer of '*'"
    )
    credentials = answer.headers.get("access-control-allow-credentials")
    assert credentials == "true", (
        "The preflight has no `Access-Control-Allow-Credentials: true`, so the browser would send "
        "the request without cookies: pass allow_credentials=True to CORSMiddleware"
    )


def test_other_origins_are_refused(client):
    answer = _preflight(client, ELSEWHERE)
    allowed = answer.headers.get("access-control-allow-origin")
    assert allowed is None, (
        f"A preflight from {ELSEWHERE} got Access-Control-Allow-Origin: {allowed}: refuse "
        f"{ELSEWHERE} by listing only the shop's origin (with credentials allowed, '*' lets "
        "Starlette echo back any origin)"
    )


def test_a_plain_request_from_elsewhere_gets_no_cors_headers(client):
    answer = client.get("/books", headers={"Origin": ELSEWHERE})
    assert answer.status_code == 200, f"GET /books answered {answer.status_code}: keep the route"
    allowed = answer.headers.get("access-control-allow-origin")
    assert allowed is None, (
        f"GET /books from {ELSEWHERE} carried Access-Control-Allow-Origin: {allowed}, so a page "
        f"there could read the answer: refuse {ELSEWHERE}"
    )
