import pytest
from fastapi.exceptions import ResponseValidationError
from fastapi.testclient import TestClient


def test_one_bad_row_fails_the_whole_list(example):
    client = TestClient(example("response_validation").app)
    with pytest.raises(ResponseValidationError) as caught:
        client.get("/users")
    [error] = caught.value.errors()
    assert error["loc"] == ("response", 2, "email")
    assert error["type"] == "string_type"
    assert error["input"] is None


def test_client_gets_a_plain_500_with_no_details(example):
    client = TestClient(example("response_validation").app, raise_server_exceptions=False)
    for path in ("/users", "/users/3"):
        response = client.get(path)
        assert response.status_code == 500, path
        assert response.text == "Internal Server Error"


def test_a_valid_row_is_filtered_and_sent(example):
    response = TestClient(example("response_validation").app).get("/users/2")
    assert response.status_code == 200
    assert response.json() == {"id": 2, "username": "bob", "email": "bob@example.com"}


def test_openapi_promises_a_list_of_public_users(example):
    schema = TestClient(example("response_validation").app).get("/openapi.json").json()
    ok = schema["paths"]["/users"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/UserOut"},
        "title": "Response List Users Users Get",
    }
