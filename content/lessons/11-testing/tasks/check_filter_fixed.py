import random
import secrets

# Years and titles drawn for every check, so only an app that really filters what it stored
# passes.
YEAR = random.randint(1100, 2000)
EARLIER = random.randint(1000, 2000)


def _title(word: str) -> str:
    return f"{word} {secrets.token_hex(3)}"


def _titles(client, before: int) -> list[str]:
    response = client.get("/books", params={"published_before": before})
    assert response.status_code == 200, (
        f"GET /books?published_before={before} answered {response.status_code}; "
        "it should list books"
    )
    return [book["title"] for book in response.json()]


def test_books_of_that_very_year_are_left_out(client):
    title = _title("The Dispossessed")
    created = client.post("/books", json={"title": title, "year": YEAR})
    assert created.status_code == 201, f"POST /books answered {created.status_code}, not 201"
    assert title not in _titles(client, YEAR), (
        f"GET /books?published_before={YEAR} still lists a book of {YEAR}: "
        "'before' means strictly earlier, so compare with <"
    )


def test_earlier_books_are_still_listed(client):
    title = _title("Solaris")
    client.post("/books", json={"title": title, "year": EARLIER})
    assert title in _titles(client, EARLIER + 1), (
        f"GET /books?published_before={EARLIER + 1} leaves out a book of {EARLIER}: only "
        "books of that year and later should go"
    )
