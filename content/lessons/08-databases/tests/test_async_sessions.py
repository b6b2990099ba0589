from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession


def test_books_are_stored_and_listed_through_an_async_session(example):
    module = example("async_sessions")
    with TestClient(module.app) as client:
        assert client.post("/books", json={"title": "Kindred"}).status_code == 201
        assert client.post("/books", json={"title": "Exhalation"}).json() == {
            "id": 2,
            "title": "Exhalation",
        }
        assert client.get("/books").json() == [
            {"id": 1, "title": "Kindred"},
            {"id": 2, "title": "Exhalation"},
        ]


def test_the_dependency_yields_an_async_session(example):
    module = example("async_sessions")
    assert isinstance(module.SessionFactory(), AsyncSession)
    assert module.engine.dialect.driver == "aiosqlite"


def test_requests_that_overlap_on_the_event_loop_each_get_their_own_connection(example):
    module = example("async_sessions")
    with TestClient(module.app) as client, ThreadPoolExecutor(max_workers=8) as pool:
        titles = [f"Book {n}" for n in range(40)]
        answers = list(pool.map(lambda t: client.post("/books", json={"title": t}), titles))
        assert [a.status_code for a in answers] == [201] * 40
        assert sorted(a.json()["id"] for a in answers) == list(range(1, 41))
        assert sorted(b["title"] for b in client.get("/books").json()) == sorted(titles)
