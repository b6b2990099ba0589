from fastapi.testclient import TestClient


def test_the_fixed_app_leaves_that_year_out(example):
    client = TestClient(example("bookshelf_fixed").app)
    client.post("/books", json={"title": "Ubik", "year": 1969})
    assert client.get("/books?published_before=1969").json() == []
    assert client.get("/books?published_before=1970").json()[0]["title"] == "Ubik"


def test_the_fixed_app_refuses_to_delete_a_missing_book(example):
    client = TestClient(example("bookshelf_fixed").app)
    assert client.delete("/books/999").status_code == 404
    book_id = client.post("/books", json={"title": "Ubik", "year": 1969}).json()["id"]
    assert client.delete(f"/books/{book_id}").status_code == 204
