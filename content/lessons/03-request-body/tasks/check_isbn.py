"""Task: an optional `isbn` of exactly 13 digits."""

import random

# Drawn for every check, so only an app that keeps the isbn it is sent passes.
ISBN = "978" + "".join(random.choices("0123456789", k=10))

BOOK = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


def test_a_book_without_isbn_is_still_accepted(client):
    response = client.post("/books", json=BOOK)
    assert response.status_code == 201, (
        f"POST /books without an isbn answered {response.status_code}: isbn must stay optional, "
        "give it the default None"
    )


def test_thirteen_digits_are_accepted_and_returned(client):
    response = client.post("/books", json={**BOOK, "isbn": ISBN})
    status = response.status_code
    assert status == 201, f"POST /books with isbn {ISBN} answered {status}"
    assert response.json().get("isbn") == ISBN, (
        f"the book came back with isbn {response.json().get('isbn')!r}: add isbn to BookCreate"
    )


def test_anything_else_is_refused(client):
    for isbn in ("12345", "978044101359X", "97804410135930"):
        response = client.post("/books", json={**BOOK, "isbn": isbn})
        assert response.status_code == 422, (
            f"an isbn of {isbn!r} was accepted ({response.status_code}); it should be refused: "
            r'only 13 digits pass, e.g. Field(default=None, pattern=r"^\d{13}$")'
        )
        locations = [error["loc"] for error in response.json()["detail"]]
        assert ["body", "isbn"] in locations, f"the 422 points at {locations}, not at body.isbn"
