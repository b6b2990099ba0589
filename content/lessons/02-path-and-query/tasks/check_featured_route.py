"""Task: GET /books/featured gets its own route, and /books/{book_id} keeps working."""

import random

# Drawn for every check, so only a route that reads the id from the path as an int passes.
BOOK_ID = random.randint(8, 999_999)


def test_featured_has_its_own_route(client):
    response = client.get("/books/featured")
    assert response.status_code != 422, (
        "GET /books/featured answered 422: the route /books/{book_id} caught it first and could "
        'not read "featured" as a number. Declare @app.get("/books/featured") above it'
    )
    body = response.json()
    assert "book_id" not in body, (
        f"GET /books/featured returned {body}: the route for /books/{{book_id}} answered it. "
        "Declare the featured route first"
    )
    assert response.status_code == 200, f"GET /books/featured answered {response.status_code}"
    assert body == {"featured": [3, 7]}, (
        f'GET /books/featured returned {body}; it should return {{"featured": [3, 7]}}'
    )


def test_a_book_id_is_still_a_number(client):
    response = client.get(f"/books/{BOOK_ID}")
    assert response.status_code == 200, f"GET /books/{BOOK_ID} answered {response.status_code}"
    seen = response.json().get("book_id")
    assert seen == {"value": BOOK_ID, "type": "int"}, (
        f"GET /books/{BOOK_ID} gave book_id as {seen}: keep book_id an int with Path(ge=1)"
    )
    assert client.get("/books/0").status_code == 422, "GET /books/0 should still answer 422"
