from fastapi.testclient import TestClient

_KEY = {"X-API-Key": "let-me-in"}


def test_request_still_succeeds(example):
    response = TestClient(example("no_cache_dependency").app).get("/books", headers=_KEY)
    assert response.status_code == 200
    assert response.json()["session_open"] is True


def test_use_cache_false_adds_one_call_of_get_settings(example):
    module = example("no_cache_dependency")
    TestClient(module.app).get("/books", headers=_KEY)
    assert module.calls == {"get_settings": 2, "get_db_session": 1, "require_api_key": 1}


def test_two_requests_make_four_settings_calls(example):
    module = example("no_cache_dependency")
    client = TestClient(module.app)
    client.get("/books", headers=_KEY)
    client.get("/books", headers=_KEY)
    assert module.calls["get_settings"] == 4


def test_wrong_key_is_still_a_401(example):
    response = TestClient(example("no_cache_dependency").app).get("/books")
    assert response.status_code == 401


def test_use_cache_does_not_change_the_documented_parameters(example):
    schema = TestClient(example("no_cache_dependency").app).get("/openapi.json").json()
    [parameter] = schema["paths"]["/books"]["get"]["parameters"]
    assert parameter["name"] == "x-api-key"
    assert parameter["in"] == "header"
