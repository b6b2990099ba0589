"""The runner's side of run dispatch through Redis (`deepdive runner --redis URL`).

A `StreamRunner` reads runs from the stream's consumer group (see `streams` for the keys), never
holding more of them than its engine has workers, runs them in its engine and pushes their
events back; it acknowledges a run once its result (or the reason it was not run) is sent. It
claims the runs of runners that went silent, keeps its own runs fresh so that nobody claims
them, and beats a heartbeat key with its capacity, load and isolation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.exceptions import RedisError, ResponseError

from deepdive.sandbox import streams
from deepdive.sandbox.events import RunEvent
from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.sandbox.waiting import OwnerLimitError

if TYPE_CHECKING:
    from deepdive.sandbox.engine import Engine

log = logging.getLogger("deepdive.sandbox")
_BLOCK_MS = 500
_STOP_GRACE = 10.0
_TOO_LARGE = "The run's result is too large to send back through the run queue."


@dataclass
class _Job:
    entry_id: str
    run_id: str
    owner: str | None
    start_by: float
    deadline: float
    request: Any


class _BadEntryError(ValueError):
    def __init__(self, message: str, run_id: str | None) -> None:
        super().__init__(message)
        self.run_id = run_id


def _parse(entry_id: str, fields: dict[str, str] | None) -> _Job:
    raw = (fields or {}).get("run")
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise _BadEntryError("not a run entry", None)
    run_id = data.get("run_id")
    if not streams._valid_run_id(run_id):
        raise _BadEntryError("no valid run id", None)
    owner = data.get("owner")
    start_by, deadline = data.get("start_by"), data.get("deadline")
    if owner is not None and not (isinstance(owner, str) and 0 < len(owner) <= 200):
        raise _BadEntryError("Invalid run request: `owner` must be a short string.", run_id)
    times = (start_by, deadline)
    if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in times):
        raise _BadEntryError("Invalid run request: it needs `start_by` and `deadline`.", run_id)
    return _Job(entry_id, run_id, owner, float(start_by), float(deadline), data.get("request"))


class StreamRunner:
    """Serves runs from the stream of `redis_url` with `engine` until `stop` is set."""

    def __init__(
        self,
        engine: Engine,
        redis_url: str,
        name: str,
        *,
        claim_seconds: float = 10.0,
        announce: Callable[[str], Any] = print,
    ) -> None:
        self.engine = engine
        self.redis_url = redis_url
        self.name = name
        self.claim_seconds = claim_seconds
        # Looking for silent runners' runs is one cheap XAUTOCLAIM: look often, so that a dead
        # runner's runs wait little more than the silence that proves it dead.
        self._claim_every = min(1.0, claim_seconds / 4)
        self.capacity = engine.config.workers
        self.done = 0
        self._announce = announce
        self._held: dict[str, asyncio.Task[None]] = {}
        self._freed = asyncio.Event()
        self._redis = aioredis.Redis.from_url(
            streams.resolved(redis_url), decode_responses=True, socket_connect_timeout=3
        )
        self._group_ready = False
        self._down_since: float | None = None

    async def serve(self, stop: asyncio.Event) -> None:
        beat = asyncio.ensure_future(self._beat(stop))
        last_claim = 0.0
        try:
            while not stop.is_set():
                try:
                    if not self._group_ready:
                        await streams.ensure_group(self._redis)
                        self._group_ready = True
                    free = self.capacity - len(self._held)
                    if free <= 0:
                        self._freed.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._freed.wait(), _BLOCK_MS / 1000)
                        continue
                    if time.monotonic() - last_claim >= self._claim_every:
                        last_claim = time.monotonic()
                        await self._claim(free)
                        continue
                    await self._read(free)
                    self._back_up()
                except ResponseError as problem:
                    # NOGROUP, or UNBLOCKED: Redis lost the stream (restarted, flushed).
                    log.warning("the run stream went away (%s); making it again", problem)
                    self._group_ready = False
                    await asyncio.sleep(0.1)
                except (RedisError, OSError) as problem:
                    self._went_down(problem)
                    await asyncio.sleep(1)
        finally:
            beat.cancel()
            with contextlib.suppress(BaseException):
                await beat
            await self._finish_held()
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(streams.RUNNERS + self.name)
            with contextlib.suppress(Exception):
                await self._redis.aclose()

    async def _read(self, free: int) -> None:
        answer = await self._redis.xreadgroup(
            streams.GROUP, self.name, {streams.STREAM: ">"}, count=free, block=_BLOCK_MS
        )
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                self._start(entry_id, fields, reclaimed=False)

    async def _claim(self, free: int) -> None:
        """Take over runs another runner took and has been silent about for too long."""
        answer = await self._redis.xautoclaim(
            streams.STREAM,
            streams.GROUP,
            self.name,
            min_idle_time=int(self.claim_seconds * 1000),
            start_id="0-0",
            count=free,
        )
        for entry_id, fields in answer[1] if len(answer) > 1 else []:
            if entry_id not in self._held:
                log.warning("took over run entry %s from a runner that went silent", entry_id)
                self._start(entry_id, fields, reclaimed=True)

    def _start(self, entry_id: str, fields: dict[str, str] | None, *, reclaimed: bool) -> None:
        task = asyncio.ensure_future(self._handle(entry_id, fields, reclaimed))
        self._held[entry_id] = task

        def done(_: object) -> None:
            self._held.pop(entry_id, None)
            self._freed.set()

        task.add_done_callback(done)

    async def _handle(self, entry_id: str, fields: dict[str, str] | None, reclaimed: bool) -> None:
        try:
            try:
                job = _parse(entry_id, fields)
            except _BadEntryError as bad:
                log.warning("dropped run entry %s: %s", entry_id, bad)
                if bad.run_id is not None:
                    await self._post_error(bad.run_id, 1, time.time() + 60, "refused", str(bad))
                return
            await self._serve_job(job, reclaimed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("run entry %s failed inside the runner", entry_id)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.xack(streams.STREAM, streams.GROUP, entry_id)
            self.done += 1

    async def _serve_job(self, job: _Job, reclaimed: bool) -> None:
        from deepdive.sandbox.engine import EngineError

        if await self._redis.exists(streams.cancel_key(job.run_id)):
            return  # nobody waits for it any more
        kind = job.request.get("kind") if isinstance(job.request, dict) else None
        if reclaimed and kind == "session":
            await self._post_error(job.run_id, 1, job.deadline, "stopped", streams.RUNNER_STOPPED)
            return
        if time.time() > job.start_by:
            message = streams.RUNNER_STOPPED if reclaimed else streams.WAITED_TOO_LONG
            await self._post_error(job.run_id, 1, job.deadline, "expired", message)
            return
        attempt = int(await self._redis.incr(streams.attempt_key(job.run_id)))
        await self._redis.expireat(streams.attempt_key(job.run_id), int(job.deadline) + 60)
        try:
            request = RunRequest.model_validate(job.request)
        except ValidationError as problem:
            message = f"Invalid run request: {problem}"
            await self._post_error(job.run_id, attempt, job.deadline, "refused", message)
            return
        commands: asyncio.Queue[SessionCommand | None] | None = None
        listener: asyncio.Future[None] | None = None
        if request.kind == "session":
            commands = asyncio.Queue()
            listener = asyncio.ensure_future(self._listen(job, commands))

        async def send(event: RunEvent) -> None:
            body = {"event": event.model_dump(mode="json")}
            await self._post(job.run_id, attempt, job.deadline, body)

        try:
            await self.engine.run(request, send, commands, job.owner)
        except OwnerLimitError as busy:
            await self._post_error(job.run_id, attempt, job.deadline, "busy", str(busy))
        except ValueError as refused:
            await self._post_error(job.run_id, attempt, job.deadline, "refused", str(refused))
        except EngineError as failed:
            await self._post_error(job.run_id, attempt, job.deadline, "failed", str(failed))
        except Exception as problem:
            log.exception("run failed inside the runner")
            message = f"The runner failed: {type(problem).__name__}: {problem}"
            await self._post_error(job.run_id, attempt, job.deadline, "failed", message)
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(BaseException):
                    await listener

    async def _listen(self, job: _Job, commands: asyncio.Queue[SessionCommand | None]) -> None:
        """A session's commands, from its command list to the sandbox."""
        key = streams.commands_key(job.run_id)
        while True:
            try:
                item = await self._redis.blpop([key], 1)
            except (RedisError, OSError):
                await asyncio.sleep(1)
                continue
            if item is None:
                continue
            with contextlib.suppress(ValidationError):
                command = SessionCommand.model_validate_json(item[1])
                commands.put_nowait(command)
                if command.op == "end":
                    return

    async def _post_error(
        self, run_id: str, attempt: int, deadline: float, reason: str, message: str
    ) -> None:
        error = {"reason": reason, "message": message}
        await self._post(run_id, attempt, deadline, {"error": error})

    async def _post(self, run_id: str, attempt: int, deadline: float, body: dict[str, Any]) -> None:
        """Push one envelope to the run's reply list, trying again while Redis is away."""
        envelope = {"run_id": run_id, "attempt": attempt, "runner": self.name, **body}
        data = json.dumps(envelope)
        if len(data) > streams.MAX_ENVELOPE:
            error = {"reason": "failed", "message": _TOO_LARGE}
            data = json.dumps({"run_id": run_id, "attempt": attempt, "error": error})
        key = streams.reply_key(run_id)
        while True:
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.rpush(key, data)
                    pipe.expireat(key, int(deadline) + 60)
                    await pipe.execute()
                return
            except (RedisError, OSError) as problem:
                if time.time() > deadline:
                    log.warning("gave up sending an event of run %s: %s", run_id, problem)
                    return
                await asyncio.sleep(0.5)

    async def _beat(self, stop: asyncio.Event) -> None:
        """The heartbeat, and fresh idle times for the runs this runner holds."""
        interval = min(1.0, self.claim_seconds / 4)
        host = socket.gethostname()
        while not stop.is_set():
            try:
                status = streams.RunnerStatus(
                    name=self.name,
                    host=host,
                    pid=os.getpid(),
                    capacity=self.capacity,
                    running=len(self._held),
                    done=self.done,
                    info=self.engine.info(),
                    seen=time.time(),
                )
                ttl = max(5, int(self.claim_seconds))
                await self._redis.set(streams.RUNNERS + self.name, status.model_dump_json(), ex=ttl)
                await self._refresh()
            except (RedisError, OSError) as problem:
                self._went_down(problem)
            await asyncio.sleep(interval)

    async def _refresh(self) -> None:
        held = set(self._held)
        if not held:
            return
        pending = await self._redis.xpending_range(
            streams.STREAM, streams.GROUP, "-", "+", len(held) + 50, consumername=self.name
        )
        ours = [entry["message_id"] for entry in pending if entry["message_id"] in held]
        if ours:
            await self._redis.xclaim(streams.STREAM, streams.GROUP, self.name, 0, ours, justid=True)

    async def _finish_held(self) -> None:
        """On stop: let the runs going finish for a while; unfinished ones stay pending and
        another runner takes them over."""
        if self._held:
            await asyncio.wait(list(self._held.values()), timeout=_STOP_GRACE)
        for task in list(self._held.values()):
            task.cancel()
        if self._held:
            await asyncio.gather(*self._held.values(), return_exceptions=True)

    def _went_down(self, problem: BaseException) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("Redis at %s is not answering: %s", streams.where(self.redis_url), problem)
            self._announce(f"Redis at {streams.where(self.redis_url)} is not answering; waiting")

    def _back_up(self) -> None:
        if self._down_since is not None:
            self._down_since = None
            self._announce(f"Redis at {streams.where(self.redis_url)} answers again")


async def serve_streams(
    engine: Engine,
    *,
    redis_url: str,
    name: str,
    claim_seconds: float,
    stop: asyncio.Event,
    announce: Callable[[str], Any] = print,
) -> None:
    """Start `engine`, serve runs from Redis until `stop` is set; then clean everything up."""
    isolation = await engine.start()
    runner = StreamRunner(engine, redis_url, name, claim_seconds=claim_seconds, announce=announce)
    try:
        state = "full isolation" if isolation.full else f"DEGRADED: {isolation.warning}"
        where = streams.where(redis_url)
        announce(f"Runner {name} taking runs from Redis at {where} ({state})")
        await runner.serve(stop)
    finally:
        await engine.close()
