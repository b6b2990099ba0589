import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError


@pytest.fixture
def module(example, monkeypatch):
    monkeypatch.setenv("BOOKSHOP_API_KEY", "from-the-environment")
    monkeypatch.setenv("BOOKSHOP_ENVIRONMENT", "staging")
    return example("settings_and_auth")


def test_settings_come_from_the_environment(module):
    client = TestClient(module.app)
    response = client.get("/admin/environment", headers={"X-API-Key": "from-the-environment"})
    assert response.status_code == 200
    assert response.json() == {"environment": "staging"}


def test_missing_key_is_a_401_with_a_www_authenticate_header(module):
    response = TestClient(module.app).get("/admin/environment")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "APIKey"
    assert response.json() == {"detail": "Missing or wrong API key"}


def test_wrong_key_is_a_401(module):
    client = TestClient(module.app)
    response = client.get("/admin/environment", headers={"X-API-Key": "guess"})
    assert response.status_code == 401


def test_settings_are_read_once_per_process_until_the_cache_is_cleared(module, monkeypatch):
    client = TestClient(module.app)
    headers = {"X-API-Key": "from-the-environment"}
    assert client.get("/admin/environment", headers=headers).json()["environment"] == "staging"
    monkeypatch.setenv("BOOKSHOP_ENVIRONMENT", "production")
    assert client.get("/admin/environment", headers=headers).json()["environment"] == "staging"
    module.get_settings.cache_clear()
    assert client.get("/admin/environment", headers=headers).json()["environment"] == "production"


def test_tests_can_replace_the_settings(module):
    module.app.dependency_overrides[module.get_settings] = lambda: module.Settings(
        api_key="test-key", environment="test"
    )
    client = TestClient(module.app)
    response = client.get("/admin/environment", headers={"X-API-Key": "test-key"})
    assert response.json() == {"environment": "test"}
    assert (
        client.get("/admin/environment", headers={"X-API-Key": "from-the-environment"}).status_code
        == 401
    )


def test_tests_can_switch_the_auth_check_off(module):
    module.app.dependency_overrides[module.require_api_key] = lambda: None
    response = TestClient(module.app).get("/admin/environment")
    assert response.status_code == 200


def test_health_needs_neither_key_nor_settings(example, monkeypatch):
    monkeypatch.delenv("BOOKSHOP_API_KEY", raising=False)
    response = TestClient(example("settings_and_auth").app).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_missing_api_key_setting_fails_the_first_request_that_needs_it(example, monkeypatch):
    monkeypatch.delenv("BOOKSHOP_API_KEY", raising=False)
    client = TestClient(example("settings_and_auth").app)
    with pytest.raises(ValidationError, match="api_key\n  Field required"):
        client.get("/admin/environment", headers={"X-API-Key": "anything"})


def test_openapi_documents_the_api_key_scheme_on_the_admin_routes_only(module):
    schema = TestClient(module.app).get("/openapi.json").json()
    assert schema["components"]["securitySchemes"] == {
        "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    assert schema["paths"]["/admin/environment"]["get"]["security"] == [{"APIKeyHeader": []}]
    assert "security" not in schema["paths"]["/health"]["get"]
