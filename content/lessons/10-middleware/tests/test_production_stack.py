from fastapi.testclient import TestClient

SHOP = {"Origin": "https://shop.example.com"}
PREFLIGHT = {"Access-Control-Request-Method": "GET"}


def _client(module) -> TestClient:
    return TestClient(module.app, client=("127.0.0.1", 50000))


def test_it_allows_the_shop_with_credentials_only(example):
    client = _client(example("production_stack"))
    allowed = client.options("/books", headers={**SHOP, **PREFLIGHT})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert allowed.headers["x-content-type-options"] == "nosniff"
    refused = client.options("/books", headers={"Origin": "https://evil.example", **PREFLIGHT})
    assert refused.status_code == 400
    assert refused.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in refused.headers


def test_a_plain_request_from_elsewhere_gets_no_cors_headers(example):
    response = _client(example("production_stack")).get(
        "/books", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
