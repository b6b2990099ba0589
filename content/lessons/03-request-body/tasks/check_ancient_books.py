"""Task: year 500 is accepted (and kept as 500) while year 3000 stays refused."""

BOOK = {"title": "Beowulf", "author": "Unknown poet"}


def test_year_500_is_accepted(client):
    response = client.post("/books", json={**BOOK, "year": 500})
    assert response.status_code == 201, (
        f"POST /books with year 500 answered {response.status_code}: lower the bound on year "
        "(Field(ge=...)) so that 500 passes"
    )
    assert response.json().get("year") == 500, (
        f"the book came back with year {response.json().get('year')}; it should come back with "
        "year 500, as sent"
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
