"""Hosted mode under load and faults, on this machine's loopback.

Two web workers (`deepdive serve --hosted --workers 2`), two runners (`deepdive runner --redis`),
the real PostgreSQL (a fresh database) and Redis (index 5, emptied). 200 learners, created here
with the account service functions and a cohort, log in over HTTP, open lessons, save drafts,
run code and answer quizzes for `--seconds`. Meanwhile one runner and one web worker are killed
with SIGKILL (Gunicorn replaces the worker; the script restarts the runner). Then the same
per-runner load against a single runner gives the p99 the two-runner p99 is compared with.

    .venv/bin/python bench/hosted.py --seconds 60

Prints a table, then one JSON object. Needs DEEPDIVE_TEST_POSTGRES_URL (a server where the role
may CREATE DATABASE) and a Redis at --redis.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEEPDIVE = str(Path(sys.executable).with_name("deepdive"))
PASSWORD = "correct horse battery staple"
APP = (
    'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\n'
    'def root():\n    return {"ok": True}\n'
)


def _missing() -> list[str]:
    """What hosted mode still lacks for this benchmark, in words."""
    problems = []
    try:
        from deepdive.accounts import service

        for name in ("create_user", "create_cohort", "add_member"):
            if not hasattr(service, name):
                problems.append(f"deepdive.accounts.service.{name} (creating the learners)")
    except ImportError:
        problems.append("deepdive.accounts (creating the learners)")
    from deepdive.web.app import create_app  # noqa: F401

    routes = subprocess.run(
        [
            sys.executable,
            "-c",
            "import deepdive.web.routes as r, pkgutil; "
            "print(' '.join(m.name for m in pkgutil.iter_modules(r.__path__)))",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if "accounts" not in routes and "login" not in routes and "auth" not in routes:
        problems.append("the login page (POST /login): learners cannot log in over HTTP")
    for command in (["serve", "--help"], ["runner", "--help"]):
        shown = subprocess.run([DEEPDIVE, *command], capture_output=True, text=True, check=False)
        want = "--hosted" if command[0] == "serve" else "--redis"
        if want not in shown.stdout:
            problems.append(f"deepdive {command[0]} {want}")
    return problems


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Stats:
    def __init__(self) -> None:
        self.runs: list[float] = []
        self.pages: list[float] = []
        self.health: list[float] = []
        self.errors: Counter[str] = Counter()
        self.lost = 0
        self.retryable = 0
        self.xp_earned: dict[str, int] = {}
        # Quiz answers (username, award key, xp): sent at all / answered 200 by the server.
        self.answered: set[tuple[str, str, int]] = set()
        self.confirmed: set[tuple[str, str]] = set()
        self.drafts: dict[str, str] = {}
        self.ran = asyncio.Event()


def _learner_client(base: str, number: int) -> httpx.AsyncClient:
    """A learner's browser: its own address (as the TLS proxy in front of the web tier would
    say in X-Forwarded-For, which Gunicorn trusts from 127.0.0.1), and its cookies kept by hand:
    hosted cookies are Secure, and this loopback benchmark speaks plain HTTP to the workers."""
    jar: dict[str, str] = {}
    client = httpx.AsyncClient(
        base_url=base,
        timeout=60,
        headers={"X-Forwarded-For": f"10.{number // 250}.{number % 250}.7"},
    )

    async def keep(response: httpx.Response) -> None:
        for cookie in response.cookies.jar:
            jar[cookie.name] = cookie.value or ""
        client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())

    client.event_hooks["response"] = [keep]
    client.jar_values = jar  # type: ignore[attr-defined]
    return client


async def _learner(base: str, username: str, course, stats: Stats, until: float) -> None:
    lessons = list(course.lessons)
    async with _learner_client(base, int(username.removeprefix("learner"))) as client:
        await client.get("/login")
        csrf = client.jar_values.get("deepdive_csrf", "")  # type: ignore[attr-defined]
        headers = {"X-CSRF-Token": csrf, "Origin": base}
        login = await client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": csrf},
            headers={**headers, "HX-Request": "true"},
        )
        if login.status_code != 200:
            stats.errors[f"login {login.status_code}"] += 1
            return
        csrf = client.jar_values.get("deepdive_csrf", csrf)  # type: ignore[attr-defined]
        headers = {"X-CSRF-Token": csrf, "Origin": base}
        stats.xp_earned[username] = 0
        while time.monotonic() < until:
            try:
                await _one_visit(client, headers, username, lessons, stats)
            except httpx.HTTPError as error:  # a killed worker drops its connections
                stats.errors[f"request {error.__class__.__name__}"] += 1
                await asyncio.sleep(0.5)


async def _one_visit(client, headers, username, lessons, stats: Stats) -> None:
    from deepdive.course.models import quiz_award_key

    lesson = random.choice(lessons)
    slug = lesson.meta.slug
    started = time.monotonic()
    page = await client.get(f"/lessons/{slug}")
    stats.pages.append(time.monotonic() - started)
    if page.status_code != 200:
        stats.errors[f"page {page.status_code}"] += 1
    if lesson.meta.interactives:
        widget = f"{slug}/{lesson.meta.interactives[0].id}"
        code = APP + f"# {secrets.token_hex(4)}\n"
        saved = await client.put(f"/api/drafts/{widget}", json={"code": code}, headers=headers)
        if saved.status_code == 200:
            stats.drafts[f"{username} {widget}"] = code
        else:
            stats.errors[f"draft {saved.status_code}"] += 1
        started = time.monotonic()
        try:
            run = await client.post(
                "/api/runs",
                json={
                    "widget": widget,
                    "code": code,
                    "requests": [{"method": "GET", "path": "/"}],
                },
                headers={**headers, "Accept": "application/json"},
            )
        except httpx.HTTPError as error:
            stats.lost += 1
            stats.errors[f"run {error.__class__.__name__}"] += 1
        else:
            if run.status_code == 200 and "result" in run.json():
                stats.runs.append(time.monotonic() - started)
                stats.ran.set()
            elif run.status_code in (429, 503) or "message" in run.text:
                stats.retryable += 1
                stats.errors[f"run {run.status_code}"] += 1
            else:
                stats.lost += 1
                stats.errors[f"run {run.status_code} unclear"] += 1
    question = random.choice(lesson.quiz.questions)
    answer = [i for i, option in enumerate(question.options) if option.correct]
    key = quiz_award_key(slug, question.id)
    stats.answered.add((username, key, lesson.question_xp(question)))
    quiz = await client.post(
        f"/api/lessons/{slug}/quiz/{question.id}", json={"answer": answer}, headers=headers
    )
    if quiz.status_code == 200:
        stats.xp_earned[username] += quiz.json()["xp_awarded"]
        stats.confirmed.add((username, key))
    else:
        stats.errors[f"quiz {quiz.status_code}"] += 1


async def _health(base: str, stats: Stats, until: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                response = await client.get("/health")
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                stats.health.append(time.monotonic() - started)
            else:
                stats.errors["health"] += 1
            await asyncio.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    missing = _missing()
    if missing:
        sys.exit("bench/hosted.py cannot run yet; hosted mode lacks:\n  " + "\n  ".join(missing))
    server = os.environ.get("DEEPDIVE_TEST_POSTGRES_URL")
    if not server:
        sys.exit(
            "Set DEEPDIVE_TEST_POSTGRES_URL to a PostgreSQL server where the role may "
            "CREATE DATABASE."
        )
    asyncio.run(_bench(options, server))


def _start(env: dict[str, str], port: int, runners: int) -> list[subprocess.Popen[bytes]]:
    web = [DEEPDIVE, "serve", "--hosted", "--workers", "2", "--port", str(port)]
    runner = [DEEPDIVE, "runner", "--redis", env["DEEPDIVE_REDIS_URL"]]
    return [subprocess.Popen(web, env=env)] + [
        subprocess.Popen(runner, env=env) for _ in range(runners)
    ]


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print(f"{process.args[1]} (pid {process.pid}) ignored SIGTERM for 20 s: killed")
            process.kill()
            process.wait()


def _kill_runner_and_worker(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGKILL the first runner and one of the web server's workers."""
    processes[1].send_signal(signal.SIGKILL)
    processes[1].wait()
    found = subprocess.run(
        ["pgrep", "-P", str(processes[0].pid)], capture_output=True, text=True, check=False
    )
    workers = found.stdout.split()
    if not workers:
        raise SystemExit("no web worker found under the Gunicorn master to kill")
    os.kill(int(workers[0]), signal.SIGKILL)


def _restart_runner(processes: list[subprocess.Popen[bytes]], env: dict[str, str]) -> None:
    processes[1] = subprocess.Popen(
        [DEEPDIVE, "runner", "--redis", env["DEEPDIVE_REDIS_URL"]], env=env
    )


async def _wait_healthy(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1) as client:
        for _ in range(240):
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit(f"the web tier at {base} never answered /health")


async def _phase(
    env: dict[str, str],
    base: str,
    port: int,
    course,
    usernames: list[str],
    seconds: float,
    runners: int,
    faults: bool,
) -> tuple[Stats, float | None]:
    processes = await asyncio.to_thread(_start, env, port, runners)
    stats, recover = Stats(), None
    try:
        await _wait_healthy(base)
        until = time.monotonic() + seconds
        tasks = [asyncio.create_task(_learner(base, u, course, stats, until)) for u in usernames]
        tasks.append(asyncio.create_task(_health(base, stats, until)))
        if faults:
            await asyncio.sleep(seconds / 3)
            killed_at = time.monotonic()
            await asyncio.to_thread(_kill_runner_and_worker, processes)
            await asyncio.sleep(3)
            await asyncio.to_thread(_restart_runner, processes, env)
            stats.ran.clear()
            # Recovered: a run that started after the kill got its result (None: none did).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stats.ran.wait(), timeout=max(1.0, until - time.monotonic()))
                recover = time.monotonic() - killed_at
        await asyncio.gather(*tasks)
    finally:
        await asyncio.to_thread(_stop, processes)
    return stats, recover


async def _bench(options: argparse.Namespace, server: str) -> None:
    import redis
    from sqlalchemy import create_engine, func, make_url, select, text

    from deepdive.accounts import service
    from deepdive.course.loader import load_course
    from deepdive.db.engine import make_session_factory
    from deepdive.db.migrate import open_database
    from deepdive.db.models import Draft, Learner, XpAward

    name = f"deepdive_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = make_url(server).set(database=name).render_as_string(hide_password=False)
    redis.Redis.from_url(options.redis).flushdb()
    engine = open_database(database)
    sessions = make_session_factory(engine)
    course = load_course(ROOT / "content")
    usernames = [f"learner{n:03d}" for n in range(options.learners)]
    with sessions() as session:
        cohort = service.create_cohort(session, "Bench")
        for username in usernames:
            user = service.create_user(session, username, PASSWORD)
            service.add_member(session, cohort, user, "learner")
    env = {
        **os.environ,
        "DEEPDIVE_MODE": "hosted",
        "DEEPDIVE_DATABASE_URL": database,
        "DEEPDIVE_REDIS_URL": options.redis,
        "DEEPDIVE_SECRET_KEY": secrets.token_urlsafe(32),
        "DEEPDIVE_DATA_DIR": f"/tmp/{name}",
        "DEEPDIVE_SANDBOX_WORKERS": "2",
    }
    base = f"http://127.0.0.1:{options.port}"
    try:
        stats, recover = await _phase(
            env, base, options.port, course, usernames, options.seconds, runners=2, faults=True
        )
        with sessions() as session:
            awards = session.execute(select(func.coalesce(func.sum(XpAward.xp), 0))).scalar_one()
            drafts = session.scalar(select(func.count()).select_from(Draft)) or 0
            stored = set(
                session.execute(
                    select(Learner.username, XpAward.award_key).join(
                        Learner, Learner.id == XpAward.learner_id
                    )
                ).all()
            )
        # The same load per runner (half the learners) on one runner, without faults.
        port = options.port + 1  # a fresh port: the first server's may linger in TIME_WAIT
        single, _ = await _phase(
            env,
            f"http://127.0.0.1:{port}",
            port,
            course,
            usernames[: len(usernames) // 2],
            options.seconds / 2,
            runners=1,
            faults=False,
        )
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    earned = sum(stats.xp_earned.values())
    answered = stats.answered
    p99, single_p99 = _percentile(stats.runs, 0.99), _percentile(single.runs, 0.99)
    figures = {
        "runs_per_second": round(len(stats.runs) / options.seconds, 2),
        "run_p50_ms": _percentile(stats.runs, 0.5),
        "run_p99_ms": p99,
        "page_p99_ms": _percentile(stats.pages, 0.99),
        "health_p99_ms": _percentile(stats.health, 0.99),
        "errors": dict(stats.errors),
        "runs_lost": stats.lost,
        "runs_with_retryable_error": stats.retryable,
        # At most the XP of every distinct answer sent may be stored (a reply lost with a killed
        # worker may or may not have been stored); every answer the server confirmed must be.
        "xp_double_counted": max(0, awards - sum({(u, k): x for u, k, x in answered}.values())),
        "progress_lost": len(stats.confirmed - stored) + max(0, len(stats.drafts) - drafts),
        "xp_confirmed_to_clients": earned,
        "xp_stored": awards,
        "recover_seconds": recover,
        "single_runner_p99_ms": single_p99,
        "p99_ratio": round(p99 / single_p99, 2) if p99 and single_p99 else None,
    }
    for key, value in figures.items():
        print(f"{key:26} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
