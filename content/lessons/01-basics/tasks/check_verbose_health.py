"""Task: GET /health?verbose=true also reports the version; the flag is a real bool."""

import random


def _true_spelling() -> str:
    """One of the spellings FastAPI reads as True, in a case drawn for every check (never the
    "true" and "yes" tried before), so only a real bool passes."""
    word = random.choice(("true", "yes", "on", "t", "y", "1"))
    spelled = "".join(random.choice((c.lower(), c.upper())) for c in word)
    return spelled.upper() if spelled in ("true", "yes") else spelled


TRUE = _true_spelling()


def test_plain_health_is_unchanged(client):
    body = client.get("/health").json()
    assert body == {"status": "ok"}, (
        f'GET /health returned {body}; without ?verbose it stays {{"status": "ok"}}'
    )


def test_verbose_health_adds_the_version(client):
    response = client.get("/health", params={"verbose": "true"})
    body = response.json()
    assert response.status_code == 200, f"GET /health?verbose=true answered {response.status_code}"
    assert body == {"status": "ok", "version": "1.0"}, (
        f'GET /health?verbose=true returned {body}; it should add "version": "1.0"'
    )


def test_other_spellings_count_as_true(client):
    body = client.get("/health", params={"verbose": TRUE}).json()
    assert body.get("version") == "1.0", (
        f"GET /health?verbose={TRUE} returned {body}; it should count as true, as FastAPI reads "
        "a bool: declare verbose: bool"
    )


def test_a_word_that_is_no_bool_is_refused(client):
    status = client.get("/health", params={"verbose": "maybe"}).status_code
    assert status == 422, (
        f"GET /health?verbose=maybe answered {status}; with verbose: bool FastAPI refuses it "
        "with a 422"
    )
