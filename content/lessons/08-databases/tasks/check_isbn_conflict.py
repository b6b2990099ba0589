"""Task: a book whose ISBN is already taken is refused with a 409 and a readable body."""

TAKEN = {"title": "Kindred, again", "isbn": "9780807083697", "author_id": 2}


def test_a_taken_isbn_is_a_conflict(client):
    response = client.post("/books", json=TAKEN)
    assert response.status_code == 409, (
        f"POST /books with an ISBN that is taken answered {response.status_code}; catch "
        "sqlalchemy.exc.IntegrityError around the commit and raise HTTPException(409)"
    )


def test_the_conflict_says_which_isbn(client):
    response = client.post("/books", json=TAKEN)
    detail = str(response.json().get("detail", "")) if response.status_code == 409 else ""
    assert TAKEN["isbn"] in detail, (
        f"The 409's detail was {detail!r}: say which ISBN is already taken, in words"
    )
    for leak in ("sqlite", "INSERT", "IntegrityError", "[SQL"):
        assert leak not in detail, (
            f"The 409's detail shows the database's own message ({leak!r} in {detail!r}): "
            "write a sentence of your own instead of str(error)"
        )


def test_nothing_was_added_and_new_books_still_work(client):
    titles = [book["title"] for book in client.get("/books").json()]
    assert TAKEN["title"] not in titles, "The refused book was stored anyway"
    fresh = {"title": "Parable of the Sower", "isbn": "9780446675505", "author_id": 2}
    response = client.post("/books", json=fresh)
    assert response.status_code == 201, (
        f"After the conflict, POST /books with a new ISBN answered {response.status_code}"
    )
