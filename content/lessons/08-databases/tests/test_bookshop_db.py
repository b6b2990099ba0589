import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event


@pytest.fixture
def shop(example):
    module = example("bookshop_db")
    statements: list[str] = []
    event.listen(module.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = TestClient(module.app, raise_server_exceptions=False)
    return module, client, statements


def test_create_read_update_delete_a_book(shop):
    _, client, _ = shop
    created = client.post(
        "/books", json={"title": "Bloodchild", "isbn": "9781583226902", "author_id": 2}
    )
    assert created.status_code == 201
    book_id = created.json()["id"]
    assert client.get(f"/books/{book_id}").json()["title"] == "Bloodchild"
    patched = client.patch(f"/books/{book_id}", json={"title": "Bloodchild and Other Stories"})
    assert patched.json() == {
        "id": book_id,
        "title": "Bloodchild and Other Stories",
        "isbn": "9781583226902",
        "author_id": 2,
    }
    assert client.delete(f"/books/{book_id}").status_code == 204
    assert client.get(f"/books/{book_id}").status_code == 404


def test_listing_authors_sends_one_query_per_author(shop):
    _, client, statements = shop
    response = client.get("/authors")
    assert [a["books"] for a in response.json()] == [
        ["The Dispossessed"],
        ["Kindred"],
        ["Exhalation"],
    ]
    assert len(statements) == 1 + 3


def test_a_taken_isbn_is_an_unhandled_500(shop):
    _, client, _ = shop
    response = client.post(
        "/books", json={"title": "Copy", "isbn": "9780807083697", "author_id": 1}
    )
    assert response.status_code == 500


def test_an_error_mid_transaction_rolls_back_the_deletes(shop):
    module, client, statements = shop
    rollbacks: list[str] = []
    event.listen(module.engine, "rollback", lambda conn: rollbacks.append("rollback"))
    assert client.post("/authors/1/retire").status_code == 500
    assert any(s.startswith("DELETE FROM books") for s in statements)
    assert rollbacks
    assert client.get("/books/1").json()["title"] == "The Dispossessed"


def test_the_session_gives_its_connection_back_even_when_the_endpoint_raises(shop):
    module, client, _ = shop
    pool_events: list[str] = []
    event.listen(module.engine, "checkout", lambda *a: pool_events.append("checkout"))
    event.listen(module.engine, "checkin", lambda *a: pool_events.append("checkin"))
    client.post("/authors/1/retire")
    assert pool_events == ["checkout", "checkin"]
