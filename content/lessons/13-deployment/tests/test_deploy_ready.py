from fastapi.testclient import TestClient


def test_ready_only_inside_the_lifespan(example):
    app = example("deploy_ready").app
    assert TestClient(app).get("/ready").status_code == 503
    with TestClient(app) as client:
        assert client.get("/ready").json() == {"status": "ready"}
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/books").json() == [{"title": "Dune"}]
