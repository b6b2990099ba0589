from fastapi.testclient import TestClient
from sqlalchemy import event


def test_authors_and_books_take_two_statements(example):
    module = example("bookshop_db_fixed")
    statements: list[str] = []
    event.listen(module.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    response = TestClient(module.app).get("/authors")
    assert [a["books"] for a in response.json()] == [
        ["The Dispossessed"],
        ["Kindred"],
        ["Exhalation"],
    ]
    assert len(statements) == 2
    assert "IN" in statements[1]


def test_a_taken_isbn_is_a_409_naming_it(example):
    client = TestClient(example("bookshop_db_fixed").app)
    response = client.post(
        "/books", json={"title": "Copy", "isbn": "9780807083697", "author_id": 1}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "A book with ISBN 9780807083697 already exists"}
    assert len(client.get("/books").json()) == 3
