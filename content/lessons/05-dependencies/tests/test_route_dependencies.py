from fastapi.testclient import TestClient

_EDITOR = {"X-API-Key": "let-me-in", "X-Role": "editor"}


def test_dependencies_run_from_app_to_router_to_decorator_to_parameters(example):
    module = example("route_dependencies")
    response = TestClient(module.app).delete("/admin/books/Dune", headers=_EDITOR)
    assert response.status_code == 200
    assert response.json() == {"removed": "Dune", "left": ["Emma"]}
    assert module.events == [
        "app: DELETE /admin/books/Dune",
        "router: require_api_key",
        "decorator: require_editor",
        "parameter: get_shelf",
        "endpoint",
    ]


def test_router_dependency_stops_the_request_before_the_rest_run(example):
    module = example("route_dependencies")
    response = TestClient(module.app).delete("/admin/books/Dune")
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or wrong X-API-Key header"}
    assert module.events == ["app: DELETE /admin/books/Dune", "router: require_api_key"]


def test_decorator_dependency_rejects_a_non_editor(example):
    client = TestClient(example("route_dependencies").app)
    response = client.delete("/admin/books/Dune", headers={"X-API-Key": "let-me-in"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only editors may remove books"}


def test_unknown_book_is_a_404_after_every_check_passed(example):
    response = TestClient(example("route_dependencies").app).delete(
        "/admin/books/Emmma", headers=_EDITOR
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "'Emmma' is not on the shelf"}


def test_routes_outside_the_router_only_get_the_app_dependency(example):
    module = example("route_dependencies")
    response = TestClient(module.app).get("/health")
    assert response.status_code == 200
    assert module.events == ["app: GET /health"]


def test_openapi_documents_headers_read_by_router_and_decorator_dependencies(example):
    paths = TestClient(example("route_dependencies").app).get("/openapi.json").json()["paths"]
    parameters = paths["/admin/books/{title}"]["delete"]["parameters"]
    assert [(p["name"], p["in"]) for p in parameters] == [
        ("title", "path"),
        ("x-api-key", "header"),
        ("x-role", "header"),
    ]
    assert "parameters" not in paths["/health"]["get"]
