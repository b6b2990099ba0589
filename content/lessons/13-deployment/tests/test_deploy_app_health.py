from fastapi.testclient import TestClient


def test_health_answers_ok(example):
    client = TestClient(example("deploy_app_health").app)
    assert client.get("/health").json() == {"status": "ok"}


def test_books_still_listed(example):
    client = TestClient(example("deploy_app_health").app)
    assert client.get("/books").json() == [{"title": "Dune"}]
