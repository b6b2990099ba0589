import logging

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(example):
    return TestClient(example("logged_crash").app, raise_server_exceptions=False)


def test_the_500_is_an_envelope_with_the_request_id_and_no_trace(client):
    response = client.get("/report", headers={"X-Request-ID": "req-7"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-7"
    body = response.json()
    assert body["error"] == "internal_error"
    assert body["request_id"] == "req-7"
    assert "ZeroDivisionError" not in response.text
    assert "Traceback" not in response.text


def test_the_log_records_the_traceback_and_the_request_id(client, caplog):
    with caplog.at_level(logging.ERROR, logger="wallet"):
        client.get("/report", headers={"X-Request-ID": "req-8"})
    [record] = caplog.records
    assert "request_id=req-8" in record.getMessage()
    assert record.exc_info[0] is ZeroDivisionError


def test_a_request_without_an_id_gets_a_fresh_one(client):
    first = client.post("/withdraw", json={"amount": 30}).headers["x-request-id"]
    second = client.post("/withdraw", json={"amount": 30}).headers["x-request-id"]
    assert len(first) == 32
    assert first != second


def test_handled_errors_keep_the_envelope(client):
    response = client.post("/withdraw", json={"amount": 150})
    assert response.status_code == 402
    assert response.json()["error"] == "insufficient_funds"
    assert client.get("/nowhere").json()["error"] == "not_found"
