"""Task: an early year (under 1000) is accepted and kept, while year 3000 stays refused."""

import random
import secrets

# A year and a title drawn for every check, so only an app that keeps what it is sent passes.
YEAR = random.choice([year for year in range(1, 1000) if year != 500])
BOOK = {"title": f"Saga {secrets.token_hex(3)}", "author": "Unknown poet"}


def test_an_early_year_is_accepted(client):
    response = client.post("/books", json={**BOOK, "year": YEAR})
    assert response.status_code == 201, (
        f"POST /books with year {YEAR} answered {response.status_code}: lower the bound on year "
        f"(Field(ge=...)) so that {YEAR} passes"
    )
    body = response.json()
    assert body.get("year") == YEAR, (
        f"the book came back with year {body.get('year')}; it should come back with year "
        f"{YEAR}, as sent"
    )
    assert body.get("title") == BOOK["title"], (
        f"the book came back titled {body.get('title')!r}; it should keep the title sent, "
        f"{BOOK['title']!r}"
    )


def test_year_3000_is_still_refused(client):
    response = client.post("/books", json={**BOOK, "year": 3000})
    assert response.status_code == 422, (
        f"POST /books with year 3000 answered {response.status_code}; year 3000 must still be "
        "refused: keep the upper bound le=2100"
    )
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "year"] in locations, f"the 422 points at {locations}, not at body.year"


def test_other_rules_still_hold(client):
    response = client.post("/books", json={**BOOK, "title": "", "year": 1965})
    assert response.status_code == 422, "an empty title should still be refused"
