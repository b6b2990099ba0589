"""Liveness of the web server, and in hosted mode of the servers it shares: PostgreSQL and Redis.

Kept fast: each check has a timeout of a fraction of a second, and a worker asks the servers
at most once a second however often /health is called (the answer is reused meanwhile).
"""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["operations"])

_RECHECK_SECONDS = 1.0
State = Literal["ok", "down"]


class HealthOut(BaseModel):
    status: Literal["ok", "down"]
    # Which web worker answered: a random name each worker process picks when it starts, so that
    # a load balancer's spread can be seen without telling the world process ids.
    worker: str = Field(examples=["3f9a1c2e"])
    # Hosted mode only: each shared server, "ok" or "down" (absent in local mode).
    database: State | None = None
    redis: State | None = None


def _database_state(request: Request) -> State:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "down"
    return "ok"


def _redis_state(request: Request) -> State:
    import redis

    try:
        request.app.state.redis.ping()
    except redis.RedisError:
        return "down"
    return "ok"


def _servers(request: Request) -> dict[str, State]:
    servers = {"database": _database_state(request)}
    if request.app.state.redis is not None:  # a hosted server without Redis has none to check
        servers["redis"] = _redis_state(request)
    return servers


@router.get("/health", response_model=HealthOut, response_model_exclude_none=True)
async def health(request: Request, response: Response) -> HealthOut:
    state = request.app.state
    servers: dict[str, State] = {}
    if state.settings.mode == "hosted":
        checked_at, servers = getattr(state, "health_servers", (-1.0, {}))
        if time.monotonic() - checked_at >= _RECHECK_SECONDS:
            servers = await run_in_threadpool(_servers, request)
            state.health_servers = (time.monotonic(), servers)
    down = "down" in servers.values()
    if down:
        response.status_code = 503
    return HealthOut(status="down" if down else "ok", worker=state.worker_name, **servers)
