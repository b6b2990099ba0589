from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from deepdive.settings import Settings


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = Settings(data_dir=tmp_path).prepare()
    second = Settings(data_dir=tmp_path).prepare()
    secret_file = tmp_path / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert first.secret == second.secret
    assert len(first.secret) >= 32


def test_given_secret_key_is_used_and_nothing_is_written(tmp_path):
    prepared = Settings(data_dir=tmp_path, secret_key="s" * 40).prepare()
    assert prepared.secret == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_sqlite_in_the_data_dir(tmp_path):
    prepared = Settings(data_dir=tmp_path).prepare()
    assert prepared.database_url == f"sqlite:///{tmp_path / 'deepdive.sqlite3'}"


def test_environment_variables_use_the_deepdive_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPDIVE_PORT", "8123")
    monkeypatch.setenv("DEEPDIVE_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.port == 8123
    assert settings.data_dir == tmp_path


def test_hosted_mode_refuses_to_start_without_an_explicit_secret(tmp_path):
    with pytest.raises(ValidationError, match="DEEPDIVE_SECRET_KEY"):
        Settings(mode="hosted", data_dir=tmp_path)
