"""Task: a book whose ISBN is already taken is refused with a 409 and a readable body."""

import random
import secrets


def _isbn() -> str:
    """A new ISBN for every check, so only an app that names the ISBN it is sent passes."""
    return "979" + "".join(random.choices("0123456789", k=10))


def _taken(client) -> dict[str, object]:
    """A book just stored; posting it again is a conflict."""
    book = {"title": f"Kindred, copy {secrets.token_hex(3)}", "isbn": _isbn(), "author_id": 2}
    response = client.post("/books", json=book)
    assert response.status_code == 201, (
        f"POST /books with a new ISBN answered {response.status_code}; keep creating books"
    )
    return {**book, "title": f"{book['title']}, again"}


def test_a_taken_isbn_is_a_conflict(client):
    response = client.post("/books", json=_taken(client))
    assert response.status_code == 409, (
        f"POST /books with an ISBN that is taken answered {response.status_code}; catch "
        "sqlalchemy.exc.IntegrityError around the commit and raise HTTPException(409)"
    )


def test_the_conflict_says_which_isbn(client):
    taken = _taken(client)
    response = client.post("/books", json=taken)
    detail = str(response.json().get("detail", "")) if response.status_code == 409 else ""
    assert taken["isbn"] in detail, (
        f"The 409 for ISBN {taken['isbn']} had the detail {detail!r}: say which ISBN is already "
        "taken, in words"
    )
    for leak in ("sqlite", "INSERT", "IntegrityError", "[SQL"):
        assert leak not in detail, (
            f"The 409's detail shows the database's own message ({leak!r} in {detail!r}): "
            "write a sentence of your own instead of str(error)"
        )


def test_nothing_was_added_and_new_books_still_work(client):
    taken = _taken(client)
    client.post("/books", json=taken)
    titles = [book["title"] for book in client.get("/books").json()]
    assert taken["title"] not in titles, "The refused book was stored anyway"
    fresh = {"title": "Parable of the Sower", "isbn": _isbn(), "author_id": 2}
    response = client.post("/books", json=fresh)
    assert response.status_code == 201, (
        f"After the conflict, POST /books with a new ISBN answered {response.status_code}"
    )
