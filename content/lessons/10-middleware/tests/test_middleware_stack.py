import logging

from fastapi.testclient import TestClient

SHOP = {"Origin": "https://shop.example.com"}
PREFLIGHT = {"Access-Control-Request-Method": "GET"}


def _client(module) -> TestClient:
    # As the sandbox does: the immediate peer is the trusted proxy at 127.0.0.1.
    return TestClient(module.app, client=("127.0.0.1", 50000))


def test_a_request_passes_every_layer_and_collects_their_headers(example):
    response = _client(example("middleware_stack")).get("/books", headers=SHOP)
    assert response.status_code == 200
    assert len(response.json()) == 40
    assert response.headers["content-encoding"] == "gzip"
    assert float(response.headers["x-process-time"]) >= 0
    assert len(response.headers["x-request-id"]) == 12
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_block_list_answers_403_before_the_inner_layers(example):
    blocked = {"X-Forwarded-For": "203.0.113.7"}
    response = _client(example("middleware_stack")).get("/books", headers=blocked)
    assert response.status_code == 403
    assert "x-request-id" in response.headers
    assert "x-content-type-options" not in response.headers


def test_a_preflight_is_answered_by_cors_without_the_security_headers(example):
    client = _client(example("middleware_stack"))
    response = client.options("/books", headers={**SHOP, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-content-type-options" not in response.headers


def test_log_records_carry_the_request_id_inside_its_middleware_only(example, caplog):
    module = example("middleware_stack")
    with caplog.at_level(logging.INFO, logger="shop"):
        response = _client(module).get("/books")
    ids = {record.getMessage(): getattr(record, "request_id", None) for record in caplog.records}
    assert ids["listing the catalogue"] == response.headers["x-request-id"]
    assert ids["GET /books -> 200"] == "-"


def test_the_export_streams_its_rows_through_the_stack(example):
    response = _client(example("middleware_stack")).get("/books/export")
    assert response.status_code == 200
    assert response.text.splitlines() == [f"Book {n},A. Writer" for n in range(1, 6)]
    assert response.headers["content-type"].startswith("text/csv")
    assert "x-process-time" in response.headers
