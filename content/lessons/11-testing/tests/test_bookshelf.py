from fastapi.testclient import TestClient


def _client(example, name: str) -> TestClient:
    return TestClient(example(name).app)


def test_a_book_is_created_listed_and_read(example):
    client = _client(example, "bookshelf")
    created = client.post("/books", json={"title": "Dune", "year": 1965})
    assert created.status_code == 201
    book_id = created.json()["id"]
    assert client.get(f"/books/{book_id}").json() == {"id": book_id, "title": "Dune", "year": 1965}
    assert {"id": book_id, "title": "Dune", "year": 1965} in client.get("/books").json()


def test_year_500_is_a_422_on_body_year(example):
    response = _client(example, "bookshelf").post("/books", json={"title": "B", "year": 500})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "year"]


def test_the_starter_keeps_books_of_the_year_it_was_asked_to_leave_out(example):
    client = _client(example, "bookshelf")
    client.post("/books", json={"title": "Ubik", "year": 1969})
    titles = [b["title"] for b in client.get("/books?published_before=1969").json()]
    assert "Ubik" in titles


def test_the_starter_answers_204_for_a_missing_book(example):
    assert _client(example, "bookshelf").delete("/books/999").status_code == 204
