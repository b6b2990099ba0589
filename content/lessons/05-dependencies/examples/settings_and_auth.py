import secrets
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKSHOP_")

    environment: str = "development"
    api_key: SecretStr


@lru_cache
def get_settings() -> Settings:
    # Read the environment once per process; every request after that reuses this object.
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(
    settings: SettingsDep, api_key: Annotated[str | None, Depends(_api_key_header)]
) -> None:
    expected = settings.api_key.get_secret_value()
    if api_key is None or not secrets.compare_digest(api_key, expected):
        raise HTTPException(
            status_code=401,
            detail="Missing or wrong API key",
            headers={"WWW-Authenticate": "APIKey"},
        )


app = FastAPI(title="Bookshop")
admin = APIRouter(prefix="/admin", dependencies=[Depends(require_api_key)])


@admin.get("/environment")
def show_environment(settings: SettingsDep) -> dict[str, str]:
    return {"environment": settings.environment}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


app.include_router(admin)
