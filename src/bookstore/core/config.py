"""Typed settings, read from `BOOKSTORE_*` environment variables (or passed in by tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Good enough on a laptop, refused everywhere else (see `_refuse_weak_secret_outside_development`).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-deploy"  # noqa: S105
_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything the Bookstore API can be configured with.

    Build one explicitly and hand it to `create_app(settings)`: nothing reads the environment
    at import time, so tests can run many differently configured apps side by side.
    """

    model_config = SettingsConfigDict(env_prefix="BOOKSTORE_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)

    # Covers (and the default SQLite database) live here.
    data_dir: Path = Path("bookstore-data")
    # Empty means "SQLite in data_dir"; PostgreSQL: postgresql+psycopg://user:password@host/db
    database_url: str = ""

    # Browser origins allowed to call the API, comma-separated; empty allows none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Created (if missing) by `python -m bookstore.prestart`.
    first_admin_username: str | None = None
    first_admin_email: str = "admin@bookstore.invalid"
    first_admin_password: SecretStr | None = None

    # Argon2id cost: the defaults follow the argon2 library's recommendation; tests lower them.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_weak_secret_outside_development(self) -> Settings:
        if self.environment == "development":
            return self
        secret = self.secret_key.get_secret_value()
        if secret == DEVELOPMENT_SECRET_KEY or len(secret) < _MIN_SECRET_LENGTH:
            raise ValueError(
                f"BOOKSTORE_SECRET_KEY must be a random value of at least {_MIN_SECRET_LENGTH} "
                f"characters when BOOKSTORE_ENVIRONMENT={self.environment} (anyone who knows the "
                "key can sign tokens). Generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return self

    @model_validator(mode="after")
    def _default_to_sqlite_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'bookstore.sqlite3'}"
        return self

    @property
    def covers_dir(self) -> Path:
        return self.data_dir / "covers"
