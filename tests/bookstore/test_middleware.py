"""Request ids, timing, the access log, CORS, security headers, and the last-resort 500."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from bookstore.main import create_app


def test_a_sensible_request_id_is_echoed_back(client):
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})

    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("offered", [None, "x" * 129, "bad id\twith tab", "<script>"])
def test_missing_or_unsafe_request_ids_are_replaced_with_a_new_one(client, offered):
    headers = {"X-Request-ID": offered} if offered else {}

    response = client.get("/health", headers=headers)

    generated = response.headers["X-Request-ID"]
    assert generated != offered
    assert len(generated) == 32


def test_every_response_reports_its_processing_time(client):
    response = client.get("/books")

    assert float(response.headers["X-Process-Time"]) >= 0


def test_responses_carry_security_headers(client):
    response = client.get("/books")

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_docs_page_keeps_a_policy_that_lets_swagger_ui_run(client):
    response = client.get("/docs")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_one_access_log_record_per_request_with_its_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="bookstore.access"):
        client.get("/books/12345?secret=hidden", headers={"X-Request-ID": "trace-me"})

    [record] = [r for r in caplog.records if r.name == "bookstore.access"]
    assert (record.method, record.path, record.status) == ("GET", "/books/12345", 404)
    assert record.duration_ms >= 0
    assert "hidden" not in record.getMessage() + str(vars(record))


@pytest.fixture
def cors_client(settings):
    app = create_app(settings.model_copy(update={"cors_origins": ["https://shop.example"]}))
    with TestClient(app) as test_client:
        yield test_client


def test_cors_allows_configured_origins_only(cors_client):
    allowed = cors_client.get("/books", headers={"Origin": "https://shop.example"})
    other = cors_client.get("/books", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight_for_a_configured_origin_is_answered(cors_client):
    response = cors_client.options(
        "/books",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )

    assert response.status_code == 200
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_without_configured_origins_no_cors_headers_are_sent(client):
    response = client.get("/books", headers={"Origin": "https://shop.example"})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_unexpected_failure_is_a_logged_500_without_internals(client, settings, caplog):
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE purchases"))
        connection.execute(text("DROP TABLE books"))
    engine.dispose()

    with caplog.at_level(logging.ERROR, logger="bookstore"):
        response = client.get("/books", headers={"X-Request-ID": "broken-db"})

    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert body["request_id"] == "broken-db"
    assert "books" not in body["message"]
    assert "Traceback" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    [record] = [r for r in caplog.records if r.name == "bookstore.errors"]
    assert record.exc_info is not None
