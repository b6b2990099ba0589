"""Every operation is documented: a typed success response and the error envelope."""

from __future__ import annotations

import pytest


@pytest.fixture
def openapi(client):
    return client.get("/openapi.json").json()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_success_response_declares_a_typed_body(openapi):
    for name, operation in _operations(openapi):
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert success, name
        for code, response in success.items():
            if code == "204":
                assert "content" not in response, name
                continue
            for media_type, content in response["content"].items():
                if media_type == "application/json":
                    assert content["schema"], f"{name} returns an untyped body"


def test_every_error_response_uses_the_envelope(openapi):
    for name, operation in _operations(openapi):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].rsplit("/", 1)[-1] in {
                    "ErrorBody",
                    "InsufficientFundsBody",
                }, f"{name} {code}"


def test_the_password_hash_appears_in_no_schema(openapi):
    assert "hashed_password" not in str(openapi)
