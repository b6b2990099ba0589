from fastapi.testclient import TestClient


def test_books_are_listed_and_there_is_no_health_route_yet(example):
    client = TestClient(example("deploy_app").app)
    assert client.get("/books").json() == [{"title": "Dune"}]
    assert client.get("/health").status_code == 404
