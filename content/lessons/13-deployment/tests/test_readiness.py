from fastapi.testclient import TestClient


def test_not_ready_until_the_lifespan_has_run(example):
    app = example("readiness").app
    client = TestClient(app)  # no `with`: the lifespan has not started
    response = client.get("/ready")
    assert (response.status_code, response.json()) == (503, {"status": "starting"})


def test_ready_once_started_and_healthy_all_along(example):
    app = example("readiness").app
    with TestClient(app) as client:
        assert client.get("/ready").json() == {"status": "ready"}
        assert client.get("/health").json() == {"status": "ok"}
    assert app.state.ready is False
