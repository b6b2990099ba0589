"""Task: GET /authors lists every author with their books in 2 statements, not 1 + N.

The statements are counted by the database, not by the app under judgement: the app's SQLite
connections reach a database in this sandbox (the `database` fixture), which executes and
counts every statement it receives. Before asking, the check adds an author with two books the
app cannot know (a random name): the answer must list them, so the app must read them from
this database, and every statement it sends from then on is counted.
"""

import secrets


def test_authors_are_listed_with_their_books(client):
    response = client.get("/authors")
    assert response.status_code == 200, f"GET /authors answered {response.status_code}"
    body = response.json()
    books = {author.get("name"): author.get("books") for author in body}
    assert books.get("Ted Chiang") == ["Exhalation"], (
        f"GET /authors returned {body}: each author must still list their books' titles"
    )


def _add_author(database, name: str, titles: list[str]) -> None:
    try:
        author_id = database.execute("INSERT INTO authors (name) VALUES (?)", (name,))
        for title in titles:
            isbn = str(secrets.randbelow(10**13)).zfill(13)
            database.execute(
                "INSERT INTO books (title, isbn, author_id) VALUES (?, ?, ?)",
                (title, isbn, author_id),
            )
    except Exception as problem:  # the learner's schema, not the lesson's
        raise AssertionError(
            f"The check could not add an author with books to your database ({problem}): "
            "keep the tables authors(name) and books(title, isbn, author_id)"
        ) from None


def test_two_statements_list_the_authors_and_their_books(client, database):
    client.get("/authors")  # the app is up, its tables made and seeded
    name = f"Author {secrets.token_hex(4)}"
    titles = [f"Book {secrets.token_hex(3)}", f"Book {secrets.token_hex(3)}"]
    mark = database.mark()
    _add_author(database, name, titles)
    response = client.get("/authors")
    sent = database.statements_since(mark)
    assert response.status_code == 200, f"GET /authors answered {response.status_code}"
    listed = {author.get("name"): author.get("books") for author in response.json()}
    assert sorted(listed.get(name) or []) == sorted(titles), (
        f"The check added {name} with two books to the database, and GET /authors did not "
        "list them: each author must still list their books' titles, read from the database "
        "when the request comes"
    )
    shown = "; ".join(" ".join(s.split())[:60] for s in sent[:6])
    assert len(sent) <= 2, (
        f"GET /authors sent {len(sent)} statements ({shown}…): one per author after the first. "
        "Load the books together with the authors: "
        "select(Author).options(selectinload(Author.books))"
    )
