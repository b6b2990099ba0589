"""Task: GET /admin/stats is guarded by the same API key dependency as /books."""


def test_without_the_key_it_is_refused(client):
    response = client.get("/admin/stats")
    assert response.status_code != 404, (
        'GET /admin/stats answered 404: add @app.get("/admin/stats")'
    )
    assert response.status_code == 401, (
        f"GET /admin/stats without the key answered {response.status_code}; without the key it "
        "must answer 401: depend on require_api_key"
    )


def test_a_wrong_key_is_refused(client):
    status = client.get("/admin/stats", headers={"X-API-Key": "guess"}).status_code
    assert status == 401, f"GET /admin/stats with a wrong key answered {status}; it must be 401"


def test_with_the_key_it_answers(client):
    response = client.get("/admin/stats", headers={"X-API-Key": "let-me-in"})
    assert response.status_code == 200, (
        f"GET /admin/stats with the key answered {response.status_code}"
    )
    assert response.json() == {"books": 1}, (
        f'GET /admin/stats returned {response.json()}; it should return {{"books": 1}}'
    )
