def test_ready_once_started(client):
    response = client.get("/ready")
    assert response.status_code == 200, (
        f"GET /ready answered {response.status_code} once the app had started: set "
        "app.state.ready = True in the lifespan, before its yield"
    )
    assert response.json() == {"status": "ready"}, (
        f'GET /ready answered {response.json()}: return {{"status": "ready"}}'
    )


def test_readiness_comes_from_the_lifespan(source):
    code = source["app.py"]
    assert "lifespan" in code, (
        "the app has no lifespan: readiness must be set when startup is done, in a lifespan "
        "passed to FastAPI(lifespan=...)"
    )
    assert "503" in code or "HTTP_503" in code, (
        "/ready never answers 503: until the lifespan has run, answer 503 so that no traffic "
        "is sent to a worker that is still starting"
    )


def test_health_still_answers(client):
    assert client.get("/health").status_code == 200, "keep GET /health: the image still uses it"
