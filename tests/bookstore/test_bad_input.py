"""Bad input of every kind gets a 4xx in the error envelope, and nothing is written."""

from __future__ import annotations

import pytest
from tests.bookstore.conftest import book_payload

from bookstore.main import MAX_REQUEST_BYTES


@pytest.fixture
def nothing_written(client):
    yield
    assert client.get("/books").json()["total"] == 0


def _assert_envelope(response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["message"]
    assert body["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.usefixtures("nothing_written")
def test_malformed_json_is_422_saying_where(client, admin):
    response = client.post(
        "/books", content=b'{"title": "Dune",', headers=admin | {"Content-Type": "application/json"}
    )

    _assert_envelope(response, 422, "validation_failed")
    assert "not valid JSON" in response.json()["message"]


@pytest.mark.usefixtures("nothing_written")
@pytest.mark.parametrize(
    "body", [[], "a string", {"year": "nineteen sixty-five"}, {"title": 42}, {"featured": "maybe"}]
)
def test_wrong_types_are_422(client, admin, body):
    payload = body if not isinstance(body, dict) else book_payload(**body)

    _assert_envelope(client.post("/books", json=payload, headers=admin), 422, "validation_failed")


@pytest.mark.usefixtures("nothing_written")
def test_a_body_declared_too_large_is_refused_before_it_is_read(client, admin):
    response = client.post(
        "/books",
        content=b"x" * (MAX_REQUEST_BYTES + 1),
        headers=admin | {"Content-Type": "application/json"},
    )

    _assert_envelope(response, 413, "content_too_large")


@pytest.mark.usefixtures("nothing_written")
def test_a_streamed_body_is_refused_once_it_passes_the_limit(client, admin):
    def chunks():
        for _ in range(MAX_REQUEST_BYTES // 65536 + 2):
            yield b" " * 65536

    response = client.post(
        "/books", content=chunks(), headers=admin | {"Content-Type": "application/json"}
    )

    _assert_envelope(response, 413, "content_too_large")


def test_json_sent_as_another_content_type_is_not_parsed(client, admin):
    response = client.post("/books", content=b"{}", headers=admin | {"Content-Type": "text/plain"})

    _assert_envelope(response, 422, "validation_failed")


def test_unknown_routes_and_methods_use_the_envelope(client):
    _assert_envelope(client.get("/nowhere"), 404, "not_found")
    not_allowed = client.delete("/books")
    _assert_envelope(not_allowed, 405, "method_not_allowed")
    assert "GET" in not_allowed.headers["Allow"]


def test_a_form_login_without_a_password_is_422(client):
    response = client.post("/token", data={"username": "admin"})

    _assert_envelope(response, 422, "validation_failed")
