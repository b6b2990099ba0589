"""Hidden tests: the author list is complete, and it costs a fixed number of queries.

The queries are counted by the database (the `database` fixture: the service's SQLite
connections reach it from another sandbox), not by the service's own metric, which the code
under judgement could bend. A new author with books is added first, with a name the service
cannot know: listing it takes statements sent after the count was taken.
"""

import secrets
import time


def _queries(client):
    return client.get("/metrics").json()["queries"]


def test_every_author_comes_with_their_books(client):
    authors = client.get("/authors").json()
    assert len(authors) == 30, f"GET /authors returned {len(authors)} authors; there are 30"
    assert authors[0] == {"name": "Author 1", "books": ["Book 1.1", "Book 1.2"]}, (
        f"The first author is {authors[0]}"
    )


def test_the_list_costs_at_most_two_queries(client, database):
    client.get("/authors")
    name = f"Author {secrets.token_hex(4)}"
    mark = database.mark()
    try:
        author_id = database.execute("INSERT INTO authors (name) VALUES (?)", (name,))
        database.execute("INSERT INTO books (title, author_id) VALUES (?, ?)", ("New", author_id))
    except Exception as problem:
        raise AssertionError(
            f"A new author could not be added to the database ({problem}): keep the tables "
            "authors(name) and books(title, author_id)"
        ) from None
    authors = client.get("/authors").json()
    spent = len(database.statements_since(mark))
    assert {"name": name, "books": ["New"]} in authors, (
        f"An author added to the database ({name}) is not in GET /authors: the list must be "
        "read from the database when it is asked for"
    )
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
