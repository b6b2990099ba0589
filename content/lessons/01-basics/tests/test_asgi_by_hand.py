from fastapi.testclient import TestClient


def test_app_answers_with_the_method_and_path_from_the_scope(example):
    client = TestClient(example("asgi_by_hand").app)
    response = client.get("/any/path", params={"x": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"method": "GET", "path": "/any/path"}


def test_openapi_json_is_just_another_path_to_a_bare_asgi_app(example):
    client = TestClient(example("asgi_by_hand").app)
    response = client.post("/openapi.json")
    assert response.status_code == 200
    assert response.json() == {"method": "POST", "path": "/openapi.json"}
