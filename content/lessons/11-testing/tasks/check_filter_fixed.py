def _titles(client, before: int) -> list[str]:
    response = client.get("/books", params={"published_before": before})
    assert response.status_code == 200, (
        f"GET /books?published_before={before} answered {response.status_code}; "
        "it should list books"
    )
    return [book["title"] for book in response.json()]


def test_books_of_that_very_year_are_left_out(client):
    created = client.post("/books", json={"title": "The Dispossessed", "year": 1974})
    assert created.status_code == 201, f"POST /books answered {created.status_code}, not 201"
    assert "The Dispossessed" not in _titles(client, 1974), (
        "GET /books?published_before=1974 still lists a book of 1974: "
        "'before' means strictly earlier, so compare with <"
    )


def test_earlier_books_are_still_listed(client):
    client.post("/books", json={"title": "Solaris", "year": 1961})
    assert "Solaris" in _titles(client, 1962), (
        "GET /books?published_before=1962 leaves out a book of 1961: only books of that "
        "year and later should go"
    )
