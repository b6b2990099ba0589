from fastapi.testclient import TestClient

_KEY = {"X-API-Key": "let-me-in"}


def test_endpoint_receives_the_replacement_session(example):
    response = TestClient(example("override_dependency").app).get("/books", headers=_KEY)
    assert response.status_code == 200
    assert response.json()["database"] == "memory://test"


def test_replaced_dependency_and_its_sub_dependencies_do_not_run(example):
    module = example("override_dependency")
    TestClient(module.app).get("/books", headers=_KEY)
    assert module.calls == {"get_test_session": 1, "get_settings": 1, "require_api_key": 1}
    assert list(module.calls) == ["get_test_session", "get_settings", "require_api_key"]


def test_untouched_dependencies_keep_their_behaviour(example):
    response = TestClient(example("override_dependency").app).get("/books")
    assert response.status_code == 401


def test_clearing_the_overrides_brings_back_the_real_session(example):
    module = example("override_dependency")
    module.app.dependency_overrides.clear()
    response = TestClient(module.app).get("/books", headers=_KEY)
    assert response.json()["database"] == "memory://bookshop"
    assert module.calls == {"get_settings": 1, "get_db_session": 1, "require_api_key": 1}


def test_overrides_are_read_per_request_not_at_startup(example):
    module = example("override_dependency")
    client = TestClient(module.app)
    assert client.get("/books", headers=_KEY).json()["database"] == "memory://test"
    del module.app.dependency_overrides[module.get_db_session]
    assert client.get("/books", headers=_KEY).json()["database"] == "memory://bookshop"


def test_openapi_still_documents_the_api_key_header(example):
    schema = TestClient(example("override_dependency").app).get("/openapi.json").json()
    names = [p["name"] for p in schema["paths"]["/books"]["get"]["parameters"]]
    assert names == ["x-api-key"]
