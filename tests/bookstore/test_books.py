"""The catalogue: CRUD, validation, filters, sorting and paging, through HTTP."""

from __future__ import annotations

import pytest
from tests.bookstore.conftest import book_payload, isbn13


def test_admin_creates_a_book_and_anyone_reads_it(client, add_book):
    created = add_book(title="Kindred", author="Octavia E. Butler", year=1979)
    assert created["id"] >= 1
    assert created["cover_url"] is None

    response = client.get(f"/books/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_isbn_10_is_stored_as_the_equivalent_isbn_13(add_book):
    assert add_book(isbn="0-306-40615-2")["isbn"] == "9780306406157"


def test_the_same_isbn_in_both_forms_is_a_conflict(client, admin, add_book):
    add_book(isbn="978-0-306-40615-7")

    response = client.post("/books", json=book_payload(isbn="0306406152"), headers=admin)

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert "9780306406157" in response.json()["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "x" * 201),
        ("author", "A"),
        ("year", 999),
        ("year", 2101),
        ("isbn", "978-0-306-40615-8"),
        ("isbn", "not an isbn"),
        ("price_cents", -1),
        ("title", "bad\x00title"),
    ],
)
def test_invalid_book_fields_are_rejected_with_the_field_named(client, admin, field, value):
    response = client.post("/books", json=book_payload(**{field: value}), headers=admin)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert body["details"][0]["loc"] == ["body", field]
    assert client.get("/books").json()["total"] == 0


def test_unknown_fields_are_refused_and_nothing_is_written(client, admin):
    response = client.post("/books", json=book_payload(rating=5), headers=admin)

    assert response.status_code == 422
    assert response.json()["details"][0]["type"] == "extra_forbidden"
    assert client.get("/books").json()["total"] == 0


def test_missing_book_is_404_in_the_error_envelope(client):
    response = client.get("/books/4242")

    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "4242" in body["message"]
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_put_replaces_every_field(client, admin, add_book):
    book = add_book(genre="fantasy", featured=True)
    replacement = book_payload(title="Parable of the Sower", author="Octavia E. Butler", year=1993)
    del replacement["genre"]

    response = client.put(f"/books/{book['id']}", json=replacement, headers=admin)

    assert response.status_code == 200
    updated = response.json()
    assert updated["title"] == "Parable of the Sower"
    assert updated["genre"] is None
    assert updated["featured"] is False
    assert updated["created_at"] == book["created_at"]


def test_patch_changes_only_the_fields_sent(client, admin, add_book):
    book = add_book(price_cents=1000)

    response = client.patch(f"/books/{book['id']}", json={"price_cents": 750}, headers=admin)

    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == book | {
        "price_cents": 750,
        "updated_at": None,
    }


def test_patch_may_clear_the_genre_but_not_the_title(client, admin, add_book):
    book = add_book(genre="mystery")

    cleared = client.patch(f"/books/{book['id']}", json={"genre": None}, headers=admin)
    refused = client.patch(f"/books/{book['id']}", json={"title": None}, headers=admin)

    assert cleared.json()["genre"] is None
    assert refused.status_code == 422
    assert "title cannot be null" in refused.json()["message"]


def test_changing_the_isbn_to_another_books_isbn_is_a_conflict(client, admin, add_book):
    first = add_book()
    second = add_book()

    response = client.patch(f"/books/{second['id']}", json={"isbn": first["isbn"]}, headers=admin)

    assert response.status_code == 409
    assert client.get(f"/books/{second['id']}").json()["isbn"] == second["isbn"]


def test_updating_or_deleting_a_missing_book_is_404(client, admin):
    assert client.put("/books/77", json=book_payload(), headers=admin).status_code == 404
    assert client.patch("/books/77", json={"year": 2000}, headers=admin).status_code == 404
    assert client.delete("/books/77", headers=admin).status_code == 404


def test_delete_answers_204_and_the_book_is_gone(client, admin, add_book):
    book = add_book()

    response = client.delete(f"/books/{book['id']}", headers=admin)

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/books/{book['id']}").status_code == 404


def test_featured_is_not_mistaken_for_a_book_id(client, add_book):
    add_book(title="Featured one", featured=True)
    add_book(title="Ordinary one")

    response = client.get("/books/featured")

    assert response.status_code == 200
    assert [book["title"] for book in response.json()] == ["Featured one"]


def test_book_ids_beyond_the_database_range_are_rejected(client):
    assert client.get(f"/books/{2**31}").status_code == 422
    assert client.get("/books/0").status_code == 422


@pytest.fixture
def catalogue(add_book):
    add_book(title="Dune", author="Frank Herbert", year=1965, genre="Science Fiction")
    add_book(title="Emma", author="Jane Austen", year=1815, genre="romance", price_cents=500)
    add_book(title="Persuasion", author="Jane Austen", year=1817, genre="romance")
    add_book(title="Neuromancer", author="William Gibson", year=1984, genre="science fiction")
    add_book(title="100% Dune fan guide", author="Some Fan", year=2001, genre=None)


def _titles(client, query: str) -> list[str]:
    response = client.get(f"/books?{query}")
    assert response.status_code == 200, response.text
    return [book["title"] for book in response.json()["items"]]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("genre=science%20fiction", ["Dune", "Neuromancer"]),
        ("author=austen", ["Emma", "Persuasion"]),
        ("year_from=1816&year_to=1984", ["Dune", "Neuromancer", "Persuasion"]),
        ("q=dune", ["100% Dune fan guide", "Dune"]),
        ("q=100%25", ["100% Dune fan guide"]),
        ("q=gibson", ["Neuromancer"]),
        ("sort=-year&limit=2", ["100% Dune fan guide", "Neuromancer"]),
        ("sort=price&author=austen", ["Emma", "Persuasion"]),
        ("sort=-title&genre=romance", ["Persuasion", "Emma"]),
    ],
)
def test_list_filters_and_sorts(client, query, titles):
    assert _titles(client, query) == titles


@pytest.mark.usefixtures("catalogue")
def test_pages_do_not_overlap_and_report_the_total(client):
    first = client.get("/books?limit=2&offset=0&sort=year").json()
    second = client.get("/books?limit=2&offset=2&sort=year").json()
    last = client.get("/books?limit=2&offset=4&sort=year").json()

    assert first["total"] == second["total"] == last["total"] == 5
    seen = [b["id"] for page in (first, second, last) for b in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert (last["limit"], last["offset"]) == (2, 4)


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "offset=-1", "sort=rating", "year_from=2000&year_to=1999"]
)
def test_out_of_range_paging_and_sorting_are_rejected(client, query):
    response = client.get(f"/books?{query}")

    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"


def test_limit_of_100_is_accepted(client):
    assert client.get("/books?limit=100").json()["limit"] == 100


def test_unknown_query_parameters_are_refused(client):
    response = client.get("/books?colour=red")

    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["query", "colour"]


def test_isbn_helper_makes_valid_isbns(client, admin):
    for number in (1, 2, 99):
        response = client.post("/books", json=book_payload(isbn=isbn13(number)), headers=admin)
        assert response.status_code == 201
