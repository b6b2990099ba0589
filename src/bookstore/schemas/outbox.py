"""Messages waiting in the outbox (the service's stand-in for e-mail)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class OutboxMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recipient: str
    subject: str
    body: str
    created_at: datetime
