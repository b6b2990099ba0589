"""Task: add GET /version, answering {"version": "1.0"}, without breaking the other routes."""


def test_version_answers(client):
    status = client.get("/version").status_code
    assert status == 200, (
        f'GET /version answered {status}: add a route for it with @app.get("/version")'
    )


def test_version_says_one_point_oh(client):
    body = client.get("/version").json()
    assert body == {"version": "1.0"}, (
        f'GET /version returned {body}; it should return {{"version": "1.0"}}, with the version '
        "as a string"
    )


def test_the_other_routes_still_answer(client):
    assert client.get("/").status_code == 200, "GET / no longer answers 200"
    assert client.get("/health").json() == {"status": "ok"}, "GET /health changed its answer"
