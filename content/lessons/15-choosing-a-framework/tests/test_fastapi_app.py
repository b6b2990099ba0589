"""The benchmark's FastAPI app, tested with FastAPI's TestClient."""

from fastapi.testclient import TestClient

VALID = {"title": "Snow Crash", "year": 1992}
INVALID = [{"title": "", "year": 1992}, {"title": "Snow Crash", "year": 99}, {"title": "X"}]


def test_fastapi_app(example):
    client = TestClient(example("fastapi_app").app)
    assert client.get("/hello").json() == {"message": "Hello, world"}
    assert client.get("/books/2").json() == {"id": 2, "title": "Neuromancer", "year": 1984}
    assert client.get("/books/9").status_code == 404
    created = client.post("/books", json=VALID)
    assert (created.status_code, created.json()) == (201, {"id": 4, **VALID})
    for body in INVALID:
        assert client.post("/books", json=body).status_code == 422
