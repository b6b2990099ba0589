"""Hosted mode under load and faults, on this machine's loopback.

Two web workers (`deepdive serve --hosted --workers 2`), two runners (`deepdive runner --redis`),
the real PostgreSQL (a fresh database) and Redis (`--redis`, index 5 unless told; emptied).
200 learners, created here with the account service functions and a cohort, log in over HTTP
all at once (timed on its own: `logins_seconds`, `login_p99_ms`), then open lessons, save
drafts, run code (as the page does: a stream of JSON lines) and answer quizzes for
`--seconds`. A third of the way in, one runner and one web worker are killed with SIGKILL
(Gunicorn replaces the worker; the script restarts the runner). Then the same per-runner load
against a single runner gives the p99 the two-runner p99 is compared with. A run's time is
split into its wait for a sandbox (sent → `started`) and the rest; the run queue's depth is
sampled; `--trace FILE` keeps every run and queue sample.

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


def _depth(values: list[int], q: float) -> int | None:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else None


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Stats:
    def __init__(self) -> None:
        self.runs: list[float] = []
        self.pages: list[float] = []
        self.logins: list[float] = []
        self.login_seconds = 0.0  # until the last learner had logged in
        self.health: list[float] = []
        self.errors: Counter[str] = Counter()
        self.waits: list[float] = []  # sent → started: waiting for a sandbox
        self.executions: list[float] = []  # started → result: in the sandbox, and back
        self.lost = 0
        self.cut_off = 0  # runs whose connection a killed web worker dropped
        self.retryable = 0
        self.xp_earned: dict[str, int] = {}
        # Quiz answers (username, award key, xp): sent at all / answered 200 by the server.
        self.answered: set[tuple[str, str, int]] = set()
        self.confirmed: set[tuple[str, str]] = set()
        self.drafts: dict[str, str] = {}
        self.ran = asyncio.Event()
        # Where a slow run's time went: (sent, seconds after the phase began; waited; in total).
        self.timeline: list[tuple[float, float, float]] = []
        self.began = time.monotonic()
        self.killed_at: float | None = None
        self.load: list[float] = []  # the machine's 1-minute load average, at start and end
        self.queue_depth: list[int] = []  # runs no runner had taken yet, sampled twice a second
        self.depth_trace: list[tuple[float, int]] = []


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


class Window:
    """The timed part of a phase: it opens once every learner has logged in (a class logging
    in at once is measured on its own: 200 password checks take the machine a while) and
    lasts `seconds` from then."""

    def __init__(self, learners: int, seconds: float) -> None:
        self.waiting = learners
        self.seconds = seconds
        self.opened = asyncio.Event()
        self.until = float("inf")

    def logged_in(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.until = time.monotonic() + self.seconds
            self.opened.set()


async def _learner(base: str, username: str, course, stats: Stats, window: Window) -> None:
    lessons = list(course.lessons)
    async with _learner_client(base, int(username.removeprefix("learner"))) as client:
        started = time.monotonic()
        try:
            while True:  # a login cut off by a killed worker is tried again, as a person would
                try:
                    login = await _log_in(client, base, username)
                    break
                except httpx.HTTPError as error:
                    stats.errors[f"login {error.__class__.__name__}"] += 1
                    await asyncio.sleep(0.5)
            stats.logins.append(time.monotonic() - started)
        finally:
            window.logged_in()
        if login.status_code != 200:
            stats.errors[f"login {login.status_code}"] += 1
            return
        csrf = client.jar_values.get("deepdive_csrf", "")  # type: ignore[attr-defined]
        headers = {"X-CSRF-Token": csrf, "Origin": base}
        stats.xp_earned[username] = 0
        await window.opened.wait()
        while time.monotonic() < window.until:
            try:
                await _one_visit(client, headers, username, lessons, stats)
            except httpx.HTTPError as error:  # a killed worker drops its connections
                stats.errors[f"request {error.__class__.__name__}"] += 1
                await asyncio.sleep(0.5)


async def _log_in(client: httpx.AsyncClient, base: str, username: str) -> httpx.Response:
    await client.get("/login")
    csrf = client.jar_values.get("deepdive_csrf", "")  # type: ignore[attr-defined]
    return await client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "next": "/", "csrf_token": csrf},
        headers={"X-CSRF-Token": csrf, "Origin": base, "HX-Request": "true"},
    )


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
        payload = {"widget": widget, "code": code, "requests": [{"method": "GET", "path": "/"}]}
        await _run(client, headers, payload, stats)
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


async def _run(client, headers, payload, stats: Stats) -> None:
    """One run as the page sends it (a stream of JSON lines), timing its wait for a sandbox
    (sent → `started`) and its time in the sandbox (`started` → `result`) apart."""
    sent = time.monotonic()
    began = None
    outcome: dict | None = None
    stream_headers = {**headers, "Accept": "application/x-ndjson"}
    try:
        async with client.stream("POST", "/api/runs", json=payload, headers=stream_headers) as run:
            if run.status_code != 200:
                body = await run.aread()
                if run.status_code in (429, 503) or b"message" in body:
                    stats.retryable += 1
                    stats.errors[f"run {run.status_code}"] += 1
                else:
                    stats.lost += 1
                    stats.errors[f"run {run.status_code} unclear"] += 1
                return
            async for line in run.aiter_lines():
                event = json.loads(line) if line.strip() else {}
                if event.get("event") == "started":
                    began = time.monotonic()
                elif event.get("event") in ("result", "error"):
                    outcome = event
                    break
    except httpx.HTTPError as error:  # the page says "the connection broke: try again"
        stats.cut_off += 1
        stats.errors[f"run {error.__class__.__name__}"] += 1
        return
    done = time.monotonic()
    if outcome is None:
        stats.lost += 1
        stats.errors["run stream ended without a result"] += 1
    elif outcome["event"] == "error":
        stats.retryable += 1
        stats.errors[f"run error: {outcome.get('message', '')[:60]}"] += 1
    else:
        stats.runs.append(done - sent)
        waited = (began or done) - sent
        stats.timeline.append((sent - stats.began, waited, done - sent))
        if began is not None:
            stats.waits.append(began - sent)
            stats.executions.append(done - began)
        stats.ran.set()


async def _sample_queue(url: str, stats: Stats, until: float) -> None:
    import redis.asyncio as aioredis

    from deepdive.sandbox.streams import waiting_runs

    connection = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        while time.monotonic() < until:
            with contextlib.suppress(Exception):
                depth = await waiting_runs(connection)
                stats.queue_depth.append(depth)
                stats.depth_trace.append((time.monotonic() - stats.began, depth))
            await asyncio.sleep(0.5)
    finally:
        await connection.aclose()


def _slowest(stats: Stats, count: int = 5) -> list[dict[str, float]]:
    """The slowest runs: when they were sent (seconds after the kill, when there was one),
    how long they waited for a sandbox, and in all (ms)."""
    zero = (stats.killed_at - stats.began) if stats.killed_at else 0.0
    worst = sorted(stats.timeline, key=lambda row: row[2], reverse=True)[:count]
    return [
        {"sent_s": round(sent - zero, 1), "wait_ms": round(wait * 1000), "ms": round(total * 1000)}
        for sent, wait, total in worst
    ]


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
    parser.add_argument(
        "--trace", type=Path, help="also write every run and queue sample of both phases here"
    )
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
        window = Window(len(usernames), seconds)
        first = time.monotonic()
        tasks = [asyncio.create_task(_learner(base, u, course, stats, window)) for u in usernames]
        await window.opened.wait()
        stats.login_seconds = time.monotonic() - first
        until = window.until
        tasks.append(asyncio.create_task(_health(base, stats, until)))
        tasks.append(asyncio.create_task(_sample_queue(env["DEEPDIVE_REDIS_URL"], stats, until)))
        stats.began = time.monotonic()
        stats.load = [os.getloadavg()[0]]
        if faults:
            await asyncio.sleep(seconds / 3)
            killed_at = stats.killed_at = time.monotonic()
            await asyncio.to_thread(_kill_runner_and_worker, processes)
            await asyncio.sleep(3)
            await asyncio.to_thread(_restart_runner, processes, env)
            stats.ran.clear()
            # Recovered: a run that started after the kill got its result (None: none did).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stats.ran.wait(), timeout=max(1.0, until - time.monotonic()))
                recover = time.monotonic() - killed_at
        await asyncio.gather(*tasks)
        stats.load.append(os.getloadavg()[0])
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
    if options.trace:
        options.trace.write_text(
            json.dumps(
                {
                    name: {
                        "killed_s": (phase.killed_at - phase.began) if phase.killed_at else None,
                        "runs": phase.timeline,
                        "queue": phase.depth_trace,
                    }
                    for name, phase in (("two_runners", stats), ("one_runner", single))
                }
            )
        )
    earned = sum(stats.xp_earned.values())
    answered = stats.answered
    p99, single_p99 = _percentile(stats.runs, 0.99), _percentile(single.runs, 0.99)
    figures = {
        "logins_seconds": round(stats.login_seconds, 1),
        "login_p99_ms": _percentile(stats.logins, 0.99),
        "runs_per_second": round(len(stats.runs) / options.seconds, 2),
        "run_p50_ms": _percentile(stats.runs, 0.5),
        "run_p99_ms": p99,
        "page_p99_ms": _percentile(stats.pages, 0.99),
        "health_p99_ms": _percentile(stats.health, 0.99),
        "errors": dict(stats.errors),
        "run_wait_p50_ms": _percentile(stats.waits, 0.5),
        "run_wait_p99_ms": _percentile(stats.waits, 0.99),
        "run_execution_p50_ms": _percentile(stats.executions, 0.5),
        "run_execution_p99_ms": _percentile(stats.executions, 0.99),
        "queue_depth_p50": _depth(stats.queue_depth, 0.5),
        "queue_depth_max": max(stats.queue_depth, default=None),
        "slowest_runs_after_kill": _slowest(stats),
        "runs_lost": stats.lost,
        # The page shows "The connection to the server broke during the run. Try again."
        "runs_cut_off_by_killed_worker": stats.cut_off,
        "runs_with_retryable_error": stats.retryable,
        # At most the XP of every distinct answer sent may be stored (a reply lost with a killed
        # worker may or may not have been stored); every answer the server confirmed must be.
        "xp_double_counted": max(0, awards - sum({(u, k): x for u, k, x in answered}.values())),
        "progress_lost": len(stats.confirmed - stored) + max(0, len(stats.drafts) - drafts),
        "xp_confirmed_to_clients": earned,
        "xp_stored": awards,
        "recover_seconds": recover,
        "single_runner_p99_ms": single_p99,
        "single_runner_wait_p99_ms": _percentile(single.waits, 0.99),
        "single_runner_execution_p99_ms": _percentile(single.executions, 0.99),
        "single_runner_queue_depth_p50": _depth(single.queue_depth, 0.5),
        "single_runner_queue_depth_max": max(single.queue_depth, default=None),
        "single_runner_runs_per_second": round(len(single.runs) / (options.seconds / 2), 2),
        "load_average_1m": stats.load,
        "single_runner_load_average_1m": single.load,
        "cpus": os.cpu_count(),
        "p99_ratio": round(p99 / single_p99, 2) if p99 and single_p99 else None,
    }
    for key, value in figures.items():
        print(f"{key:26} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
