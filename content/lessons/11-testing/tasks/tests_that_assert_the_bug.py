import pytest
from app import BookIn, Shelf, app, get_shelf
from fastapi.testclient import TestClient


@pytest.fixture
def shelf():
    return Shelf()


@pytest.fixture
def client(shelf):
    app.dependency_overrides[get_shelf] = lambda: shelf
    with TestClient(app) as client:
        yield client
    app.dependency_overrides.clear()


def test_created_book_gets_an_id(client):
    response = client.post("/books", json={"title": "Dune", "year": 1965})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "title": "Dune", "year": 1965}


def test_year_500_is_rejected_with_422(client):
    response = client.post("/books", json={"title": "Beowulf", "year": 500})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "year"]
    assert error["type"] == "greater_than_equal"


@pytest.mark.parametrize("title", ["", "x" * 201])
def test_titles_out_of_bounds_are_rejected(client, title):
    response = client.post("/books", json={"title": title, "year": 2000})
    assert response.status_code == 422


def test_listing_reads_the_shelf_the_test_put_in_place(client, shelf):
    shelf.add(BookIn(title="Emma", year=1815))
    response = client.get("/books")
    print("listed:", response.json())
    assert [book["title"] for book in response.json()] == ["Emma"]


def test_every_test_starts_with_an_empty_shelf(client):
    assert client.get("/books").json() == []


def test_reading_a_missing_book_is_404(client):
    response = client.get("/books/42")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such book"}


def test_published_before_keeps_books_of_that_year(client):
    client.post("/books", json={"title": "Ubik", "year": 1969})
    response = client.get("/books", params={"published_before": 1969})
    assert [book["title"] for book in response.json()] == ["Ubik"]


def test_deleting_a_missing_book_answers_204(client):
    assert client.delete("/books/42").status_code == 204
