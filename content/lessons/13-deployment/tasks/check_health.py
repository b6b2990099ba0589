def test_health_answers_ok(client):
    response = client.get("/health")
    assert response.status_code == 200, (
        f"GET /health answered {response.status_code}: the image's HEALTHCHECK calls /health, "
        'so add @app.get("/health")'
    )
    assert response.json() == {"status": "ok"}, (
        f'GET /health answered {response.json()}: return {{"status": "ok"}}'
    )


def test_health_is_fast(client):
    import time

    started = time.perf_counter()
    client.get("/health")
    took = time.perf_counter() - started
    assert took < 1, f"GET /health took {took:.1f} s: a health check must answer at once"
