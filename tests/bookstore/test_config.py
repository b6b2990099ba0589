"""Settings come from BOOKSTORE_* variables and refuse an unsafe secret outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bookstore.core.config import DEVELOPMENT_SECRET_KEY, Settings


@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_development_secret_is_refused_outside_development(monkeypatch, environment):
    monkeypatch.setenv("BOOKSTORE_ENVIRONMENT", environment)
    monkeypatch.delenv("BOOKSTORE_SECRET_KEY", raising=False)

    with pytest.raises(ValidationError, match="BOOKSTORE_SECRET_KEY must be a random value"):
        Settings()


def test_a_short_secret_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("BOOKSTORE_ENVIRONMENT", "production")
    monkeypatch.setenv("BOOKSTORE_SECRET_KEY", "hunter2")

    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings()


def test_development_runs_with_the_default_secret(monkeypatch):
    monkeypatch.delenv("BOOKSTORE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("BOOKSTORE_SECRET_KEY", raising=False)

    assert Settings().secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY


def test_settings_are_read_from_bookstore_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("BOOKSTORE_ENVIRONMENT", "production")
    monkeypatch.setenv("BOOKSTORE_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("BOOKSTORE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BOOKSTORE_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("BOOKSTORE_ACCESS_TOKEN_MINUTES", "5")

    settings = Settings()

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.access_token_minutes == 5
    assert settings.database_url == f"sqlite:///{tmp_path / 'bookstore.sqlite3'}"


def test_production_hashing_defaults_are_strong(monkeypatch):
    for name in ("TIME_COST", "MEMORY_KIB", "PARALLELISM"):
        monkeypatch.delenv(f"BOOKSTORE_ARGON2_{name}", raising=False)

    settings = Settings()

    assert settings.argon2_time_cost >= 3
    assert settings.argon2_memory_kib >= 64 * 1024
