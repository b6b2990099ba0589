"""Hidden tests: the web app's origin may call with credentials; no other origin may."""

import random
import secrets

APP = "https://app.example.com"
# Other origins drawn for every check (never the ones tried before), so only a service that
# trusts the web app's origin alone refuses them.
EVIL = f"https://{random.choice(('evil', 'ads', 'phish'))}-{secrets.token_hex(3)}.example"
LOOKALIKE = f"{APP}.{secrets.token_hex(3)}.io"
COOKIE = {"Cookie": "session=s-alice"}


def _preflight(client, origin):
    return client.options(
        "/account",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )


def test_the_web_app_may_call_with_credentials(client):
    response = client.get("/account", headers={"Origin": APP, **COOKIE})
    assert response.status_code == 200, f"GET /account from {APP} answered {response.status_code}"
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed == APP, f"The web app's origin got Access-Control-Allow-Origin: {allowed}"
    assert response.headers.get("access-control-allow-credentials") == "true", (
        "The web app's origin is not allowed to send its cookie (no Allow-Credentials: true)"
    )


def test_another_site_cannot_read_the_account(client):
    response = client.get("/account", headers={"Origin": EVIL, **COOKIE})
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed not in (EVIL, "*"), (
        f"A page on {EVIL} sending the user's cookie got Access-Control-Allow-Origin: {allowed}, "
        "so its script can read the account"
    )


def test_another_sites_preflight_is_refused(client):
    response = _preflight(client, EVIL)
    assert response.headers.get("access-control-allow-origin") != EVIL


def test_the_web_apps_preflight_is_allowed(client):
    response = _preflight(client, APP)
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") == APP
    assert response.headers.get("access-control-allow-credentials") == "true"


def test_a_lookalike_origin_is_refused(client):
    response = client.get("/account", headers={"Origin": LOOKALIKE, **COOKIE})
    assert response.headers.get("access-control-allow-origin") is None
