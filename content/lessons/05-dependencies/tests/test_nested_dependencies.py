from fastapi.testclient import TestClient

_KEY = {"X-API-Key": "let-me-in"}


def test_authorised_request_gets_books_from_an_open_session(example):
    client = TestClient(example("nested_dependencies").app)
    response = client.get("/books", headers=_KEY)
    assert response.status_code == 200
    assert response.json() == {
        "database": "memory://bookshop",
        "session_open": True,
        "books": ["Dune"],
    }


def test_shared_settings_dependency_runs_once_per_request(example):
    module = example("nested_dependencies")
    TestClient(module.app).get("/books", headers=_KEY)
    assert module.calls == {"get_settings": 1, "get_db_session": 1, "require_api_key": 1}


def test_cache_lasts_one_request_only(example):
    module = example("nested_dependencies")
    client = TestClient(module.app)
    client.get("/books", headers=_KEY)
    client.get("/books", headers=_KEY)
    assert module.calls == {"get_settings": 2, "get_db_session": 2, "require_api_key": 2}


def test_missing_key_is_a_401(example):
    response = TestClient(example("nested_dependencies").app).get("/books")
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or wrong X-API-Key header"}


def test_wrong_key_is_a_401(example):
    client = TestClient(example("nested_dependencies").app)
    response = client.get("/books", headers={"X-API-Key": "guess"})
    assert response.status_code == 401


def test_session_declared_first_is_opened_even_for_a_rejected_key(example):
    module = example("nested_dependencies")
    TestClient(module.app).get("/books", headers={"X-API-Key": "guess"})
    assert module.calls == {"get_settings": 1, "get_db_session": 1, "require_api_key": 1}


def test_session_opened_for_a_rejected_key_is_still_closed(example, monkeypatch):
    module = example("nested_dependencies")
    closed: list[str] = []
    close = module.Session.close

    def spy(session) -> None:
        closed.append(session.url)
        close(session)

    monkeypatch.setattr(module.Session, "close", spy)
    TestClient(module.app).get("/books", headers={"X-API-Key": "guess"})
    assert closed == ["memory://bookshop"]


def test_openapi_lists_the_header_read_by_a_sub_dependency(example):
    schema = TestClient(example("nested_dependencies").app).get("/openapi.json").json()
    operation = schema["paths"]["/books"]["get"]
    assert operation["parameters"] == [
        {
            "name": "x-api-key",
            "in": "header",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "X-Api-Key"},
        }
    ]
