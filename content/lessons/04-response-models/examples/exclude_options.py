from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel


class NotificationSettings(BaseModel):
    owner: str
    channel: Literal["email", "sms"] = "email"
    quiet_hours: str | None = None
    digest: Literal["daily", "weekly", "never"] = "weekly"


# Alice picked "email" on purpose (it happens to be the default) and switched quiet
# hours off (None); she never touched the digest.
_ALICE = NotificationSettings(owner="alice", channel="email", quiet_hours=None)

app = FastAPI(title="Notification settings")


@app.get("/settings")
def everything() -> NotificationSettings:
    return _ALICE


@app.get("/settings/exclude-unset", response_model_exclude_unset=True)
def without_unset() -> NotificationSettings:
    return _ALICE


@app.get("/settings/exclude-defaults", response_model_exclude_defaults=True)
def without_defaults() -> NotificationSettings:
    return _ALICE


@app.get("/settings/exclude-none", response_model_exclude_none=True)
def without_none() -> NotificationSettings:
    return _ALICE
