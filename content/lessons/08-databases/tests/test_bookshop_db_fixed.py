from concurrent.futures import ThreadPoolExecutor

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


def test_requests_that_overlap_each_keep_their_own_transaction(example):
    """Writes from several threads at once (as a server's thread pool sends them) all land,
    and a conflict in one of them undoes nothing of the others."""
    app = example("bookshop_db_fixed").app

    def create(worker: int) -> list[int]:
        with TestClient(app) as client:
            statuses = []
            for n in range(15):
                book = {
                    "title": f"Copy {worker}-{n}",
                    "isbn": f"97{worker:04d}{n:05d}",
                    "author_id": 1,
                }
                statuses.append(client.post("/books", json=book).status_code)
                statuses.append(client.post("/books", json=book).status_code)  # a conflict
            return statuses

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [s for worker in pool.map(create, range(6)) for s in worker]
    assert statuses == [201, 409] * 90
    assert len(TestClient(app).get("/books").json()) == 3 + 90
