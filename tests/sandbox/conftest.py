"""The `attack` fixture: hostile learner code run in a real sandbox, the runner checked after."""

from __future__ import annotations

import asyncio

import pytest

from deepdive.sandbox.run_request import HttpRequest, LimitOverrides, RunRequest
from deepdive.sandbox.run_result import RunResult
from deepdive.sandbox.testing import require_full_isolation

APP = "from fastapi import FastAPI\napp = FastAPI()\n"


@pytest.fixture
def attack(run_in_sandbox, runner_client):
    """Run `code` (before a minimal app), then check that the runner still answers."""
    require_full_isolation(asyncio.run(runner_client.ping()))

    def run(code: str, *paths: str, app_first: bool = False, **limits: float) -> RunResult:
        source = APP + code if app_first else code + "\n" + APP
        request = RunRequest(
            code=source,
            requests=[HttpRequest(path=p) for p in paths],
            limits=LimitOverrides(**limits),
        )
        result = run_in_sandbox(request)
        info = asyncio.run(runner_client.ping())
        assert info.workers == 2, "the runner stopped answering"
        return result

    return run
