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
