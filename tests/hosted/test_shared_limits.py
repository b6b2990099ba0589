"""Rate limits kept in Redis: shared by every worker, and a clear 503 when Redis is down."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
import redis
from tests.conftest import CourseClient, free_port
from tests.hosted.conftest import HOSTED_BASE_URL, PASSWORD

from deepdive.sandbox import RateLimitError
from deepdive.web.app import create_app


def test_the_run_limit_is_counted_in_redis_for_every_worker(hosted_settings, course):
    limited = hosted_settings.model_copy(update={"sandbox_runs_per_minute": 2})
    first, second = create_app(limited, course), create_app(limited, course)

    async def three_runs() -> list[bool]:
        outcomes = []
        for app in (first, second, first):
            try:
                await app.state.run_limiter.acquire("learner-1")
                outcomes.append(True)
            except RateLimitError:
                outcomes.append(False)
        return outcomes

    assert asyncio.run(three_runs()) == [True, True, False]
    with redis.Redis.from_url(hosted_settings.redis_url) as connection:
        assert any(b"runs" in key for key in connection.keys("deepdive-limits*"))


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_redis_down_answers_a_clear_503_for_logins_and_runs(hosted_settings, course, make_user):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        settings = hosted_settings.model_copy(update={"redis_url": url})
        make_user("ada")
        with CourseClient(create_app(settings, course), base_url=HOSTED_BASE_URL) as client:
            form = {"username": "ada", "password": PASSWORD}
            assert (
                client.post("/login", data=form, headers={"HX-Request": "true"}).status_code == 200
            )
            server.kill()
            server.wait()
            down = client.post("/login", data=form, headers={"HX-Request": "true"})
            assert down.status_code == 503
            assert "Redis server does not answer" in down.text
            run = client.post("/api/runs", json={"widget": "basics/first-endpoint", "code": ""})
            assert run.status_code == 503
            assert "Redis server does not answer" in run.json()["message"]
    finally:
        server.kill()
        server.wait()
