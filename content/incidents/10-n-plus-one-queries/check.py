"""Hidden tests: the author list is complete, and it costs a fixed number of queries."""

import time


def _queries(client):
    return client.get("/metrics").json()["queries"]


def test_every_author_comes_with_their_books(client):
    authors = client.get("/authors").json()
    assert len(authors) == 30, f"GET /authors returned {len(authors)} authors; there are 30"
    assert authors[0] == {"name": "Author 1", "books": ["Book 1.1", "Book 1.2"]}, (
        f"The first author is {authors[0]}"
    )


def test_the_list_costs_at_most_two_queries(client):
    before = _queries(client)
    client.get("/authors")
    spent = _queries(client) - before
    assert spent <= 2, (
        f"GET /authors ran {spent} queries: one for the authors, then one per author for the "
        "books. Load the books with the authors."
    )


def test_the_list_is_fast(client):
    client.get("/authors")
    started = time.perf_counter()
    client.get("/authors")
    assert time.perf_counter() - started < 0.08


def test_the_query_counter_still_counts(client):
    before = _queries(client)
    client.get("/authors")
    assert _queries(client) > before
