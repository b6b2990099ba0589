import pytest
from fastapi.exceptions import ResponseValidationError
from fastapi.testclient import TestClient


def test_value_that_breaks_the_return_type_raises_response_validation_error(example):
    client = TestClient(example("broken_responses").app)
    with pytest.raises(ResponseValidationError) as caught:
        client.get("/uptime")
    [error] = caught.value.errors()
    assert error["type"] == "string_type"
    assert error["loc"] == ("response", "uptime_seconds")
    assert error["input"] == 12


def test_bytes_that_are_not_utf8_cannot_become_json(example):
    client = TestClient(example("broken_responses").app)
    with pytest.raises(UnicodeDecodeError):
        client.get("/cover")


def test_clients_see_a_bare_500_for_both_mistakes(example):
    client = TestClient(example("broken_responses").app, raise_server_exceptions=False)
    for path in ("/uptime", "/cover"):
        response = client.get(path)
        assert response.status_code == 500, path
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Internal Server Error"


def test_openapi_promised_strings_that_the_uptime_route_did_not_deliver(example):
    paths = TestClient(example("broken_responses").app).get("/openapi.json").json()["paths"]
    uptime = paths["/uptime"]["get"]["responses"]["200"]["content"]["application/json"]
    assert uptime["schema"]["additionalProperties"] == {"type": "string"}
    cover = paths["/cover"]["get"]["responses"]["200"]["content"]["application/json"]
    assert cover["schema"] == {}
