from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("class_dependencies").app)


def test_class_is_instantiated_with_the_query_parameters(example):
    response = _client(example).get("/books", params={"offset": "3", "limit": "5"})
    assert response.status_code == 200
    assert response.json() == {"limit": 5, "offset": 3, "items": ["Beloved", "Solaris"]}


def test_defaults_of_init_apply(example):
    response = _client(example).get("/books")
    assert response.json() == {"limit": 2, "offset": 0, "items": ["Dune", "Emma"]}


def test_negative_offset_is_a_422_from_the_init_signature(example):
    response = _client(example).get("/books", params={"offset": "-1"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "offset"]
    assert error["type"] == "greater_than_equal"


def test_openapi_documents_init_parameters_as_query_parameters(example):
    schema = _client(example).get("/openapi.json").json()
    parameters = schema["paths"]["/books"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in parameters] == [("limit", "query"), ("offset", "query")]
    assert "Pagination" not in schema.get("components", {}).get("schemas", {})
