from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("optional_fields").app)


def test_defaults_fill_fields_the_client_left_out(example):
    response = _client(example).post("/drafts", json={"title": "Dune", "series": None})
    assert response.status_code == 201
    assert response.json() == {
        "draft": {"title": "Dune", "subtitle": None, "series": None, "language": "en"},
        "sent": ["series", "title"],
    }


def test_nullable_without_a_default_is_still_required(example):
    response = _client(example).post("/drafts", json={"title": "Dune"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "series"],
                "msg": "Field required",
                "input": {"title": "Dune"},
            }
        ]
    }


def test_a_default_does_not_make_null_acceptable(example):
    body = {"title": "Dune", "series": "Dune Chronicles", "language": None}
    response = _client(example).post("/drafts", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_type",
                "loc": ["body", "language"],
                "msg": "Input should be a valid string",
                "input": None,
            }
        ]
    }


def test_sending_the_default_explicitly_is_recorded_as_sent(example):
    body = {"title": "Dune", "series": None, "language": "en"}
    response = _client(example).post("/drafts", json=body)
    assert response.status_code == 201
    assert response.json()["sent"] == ["language", "series", "title"]


def test_openapi_requires_exactly_the_fields_without_defaults(example):
    schema = _client(example).get("/openapi.json").json()
    draft = schema["components"]["schemas"]["BookDraft"]
    assert draft["required"] == ["title", "series"]
    assert draft["properties"]["series"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert draft["properties"]["language"] == {
        "type": "string",
        "title": "Language",
        "default": "en",
    }
