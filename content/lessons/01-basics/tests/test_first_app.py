from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("first_app").app)


def test_root_returns_a_json_greeting(example):
    response = _client(example).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"message": "Hello from FastAPI"}


def test_health_reports_ok(example):
    response = _client(example).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_path_is_a_json_404(example):
    response = _client(example).get("/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_a_405_that_lists_the_allowed_one(example):
    response = _client(example).post("/health")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_openapi_lists_both_routes_with_their_return_types(example):
    schema = _client(example).get("/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    assert schema["info"] == {"title": "First app", "version": "0.1.0"}
    assert set(schema["paths"]) == {"/", "/health"}
    health = schema["paths"]["/health"]["get"]
    assert health["summary"] == "Health"
    assert health["operationId"] == "health_health_get"
    body_schema = health["responses"]["200"]["content"]["application/json"]["schema"]
    assert body_schema["type"] == "object"
    assert body_schema["additionalProperties"] == {"type": "string"}


def test_routes_without_parameters_document_no_422(example):
    schema = _client(example).get("/openapi.json").json()
    assert set(schema["paths"]["/"]["get"]["responses"]) == {"200"}


def test_swagger_ui_and_redoc_pages_point_at_the_schema(example):
    client = _client(example)
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "/openapi.json" in response.text
