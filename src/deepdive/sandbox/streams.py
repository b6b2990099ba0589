"""Run dispatch through Redis Streams: web servers and runners on as many machines as needed.

Hosted mode's web workers do not talk to one runner at a fixed address: they `XADD` each run to
a capped stream, and every runner (`deepdive runner --redis URL`) reads it through one consumer
group, taking only as many runs as it has sandboxes free. Keys, all in the Redis database of
`Settings.redis_url`:

* `deepdive:runs:requests`: the stream (capped with `MAXLEN ~`), group `runners`. An entry's
  field `run` is JSON: `{"run_id", "owner", "start_by", "deadline", "request"}`. `start_by` is
  when the run must have started (the web side's wait for a runner, from
  `DEEPDIVE_RUN_QUEUE_SECONDS`), `deadline` when the web side stops waiting for its result
  (`start_by` + the wall limit + a margin). Times are Unix times: the machines' clocks must
  agree (NTP).
* `deepdive:runs:reply:{run_id}`: a list of JSON envelopes the runner pushes and the waiting
  web worker pops: `{"run_id", "attempt", "runner", "event": RunEvent}` (queued, started, each
  finished test, the app's session events, the result), or `{"run_id", "attempt", "runner",
  "error": {"reason", "message"}}` with the reasons of `protocol` plus "stopped" and "expired".
* `deepdive:runs:commands:{run_id}`: a session run's commands, pushed by the web worker that
  holds the page's WebSocket, popped by the runner that holds the session's sandbox.
* `deepdive:runs:attempt:{run_id}` counts the starts of a run, `deepdive:runs:cancel:{run_id}`
  says that nobody waits for it any more; `deepdive:runners:{name}` is a runner's heartbeat
  (capacity, load, isolation), expiring when the runner stops beating.

Every key of a run expires shortly after its deadline. Delivery is at least once: a runner that
dies leaves its runs pending in the group, and another runner claims them (`XAUTOCLAIM`) once
they have been silent for `DEEPDIVE_RUN_CLAIM_SECONDS` (a live runner keeps its runs fresh
with `XCLAIM ... JUSTID`). A claimed run is run again while its `start_by` allows, and fails with
`RUNNER_STOPPED` otherwise; a session is never run twice (what the page did in it is gone), it
fails at once. The web side takes the first result of a run and nothing after it, so a run run
twice still gives the page (and grading, which happens on the web side) one result.

Everything read back from Redis is untrusted: the web side checks each envelope against the
event models, ignores what belongs to another run or an earlier attempt, and fails the run with
a clear message on anything malformed or oversized. It trusts a runner's result exactly as far
as the socket protocol trusts a runner's.

Trust note: the runner holds its Redis URL (and so any password in it) in memory, which its
sandboxes inherit a copy of; sandboxes have no network, but keep Redis on a network learners
cannot reach, and give runners a Redis user limited to these keys (`~deepdive:run*`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis
from pydantic import BaseModel, TypeAdapter, ValidationError
from redis.exceptions import RedisError, ResponseError

from deepdive.sandbox.client import (
    EventsClient,
    RunLostError,
    RunnerError,
    RunnerUnavailableError,
    RunQueueFullError,
    RunRefusedError,
    Session,
    TooManyRunsError,
)
from deepdive.sandbox.events import (
    CaseFinished,
    Finished,
    Queued,
    RunEvent,
    RunnerInfo,
    SessionEvent,
    Started,
)
from deepdive.sandbox.protocol import MAX_FRAME
from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.settings import Settings

log = logging.getLogger("deepdive.sandbox")

STREAM = "deepdive:runs:requests"
GROUP = "runners"
RUNNERS = "deepdive:runners:"
# The stream keeps about this many entries (delivered or not); far more than may wait.
STREAM_CAP = 10_000
# The largest envelope either side accepts, as the socket protocol's largest frame.
MAX_ENVELOPE = MAX_FRAME
_MAX_MESSAGE = 2000
# The web side's time for a result beyond the run's wall limit (start-up, delivery).
MARGIN_SECONDS = 15.0
_POLL = 0.5  # how often a waiting web worker looks at its position in the queue
_KEEP = 60  # a run's keys outlive its deadline by this many seconds
RETRY_AFTER = 5.0
_RUN_ID = "0123456789abcdef"

RUNNER_STOPPED = "The runner running your code stopped before it finished; run again."
WAITED_TOO_LONG = (
    "Your run waited too long for a free sandbox, so it was not started. Many people are "
    "running code right now: run again in a moment."
)
NOBODY_TOOK_IT = (
    "No code runner took your run within {seconds:g} seconds (all are busy, or none is up), so "
    "it was not started. Run again in a moment."
)
QUEUE_FULL = (
    "{waiting} runs are already waiting for a sandbox, the most this course lets wait. "
    "Nothing was run: try again in a few seconds."
)
MALFORMED = (
    "The code runner sent back something that is not a valid run event ({problem}), so the run "
    "was stopped. Run again; if it keeps happening, the runner needs looking at."
)


def reply_key(run_id: str) -> str:
    return f"deepdive:runs:reply:{run_id}"


def commands_key(run_id: str) -> str:
    return f"deepdive:runs:commands:{run_id}"


def attempt_key(run_id: str) -> str:
    return f"deepdive:runs:attempt:{run_id}"


def cancel_key(run_id: str) -> str:
    return f"deepdive:runs:cancel:{run_id}"


def _valid_run_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 32 and set(value) <= set(_RUN_ID)


def where(url: str) -> str:
    """The Redis server of `url` as `host:port/db`, without any password (for messages)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"


def _unreachable(url: str, error: BaseException) -> str:
    return (
        f"The run queue (Redis at {where(url)}) is not answering ({type(error).__name__}), so "
        "code cannot run right now. Try again in a moment; if it lasts, Redis needs restarting."
    )


class RunnerStatus(BaseModel):
    """A runner's heartbeat: who it is, how many runs it takes, how many it has, its isolation."""

    name: str
    host: str
    pid: int
    capacity: int
    running: int
    done: int
    info: RunnerInfo
    seen: float


_EVENTS: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)
_ERRORS: dict[str, type[RunnerError] | type[RunnerUnavailableError]] = {
    "refused": RunRefusedError,
    "busy": TooManyRunsError,
    "stopped": RunLostError,
    "expired": RunLostError,
}


async def ensure_group(connection: aioredis.Redis) -> None:
    """Create the stream and its consumer group unless they exist. From the start of the stream:
    runs added before any runner came are not missed (stale ones are dropped as expired)."""
    with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists already
        await connection.xgroup_create(STREAM, GROUP, id="0", mkstream=True)


# Counted inside Redis: every waiting page asks twice a second, and sending the waiting entries
# themselves (each with its code) to be counted would cost the web workers more than the runs.
_COUNT_WAITING = """
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local last = '0-0'
for _, group in ipairs(groups) do
  local name, delivered
  for i = 1, #group, 2 do
    if group[i] == 'name' then name = group[i + 1] end
    if group[i] == 'last-delivered-id' then delivered = group[i + 1] end
  end
  if name == ARGV[1] then last = delivered end
end
return #redis.call('XRANGE', KEYS[1], '(' .. last, ARGV[2], 'COUNT', ARGV[3])
"""


async def waiting_runs(connection: aioredis.Redis, upto: str = "+", limit: int = 10_000) -> int:
    """How many runs of the stream no runner has taken yet (up to entry `upto`)."""
    count = connection.register_script(_COUNT_WAITING)
    return int(await count(keys=[STREAM], args=[GROUP, upto, limit]))


async def read_heartbeats(connection: aioredis.Redis) -> list[RunnerStatus]:
    names = [name async for name in connection.scan_iter(match=f"{RUNNERS}*", count=100)]
    values = await connection.mget(names) if names else []
    return _statuses(values)


def _statuses(values: list[Any]) -> list[RunnerStatus]:
    found = []
    for value in values:
        with contextlib.suppress(ValidationError, TypeError, ValueError):
            found.append(RunnerStatus.model_validate_json(value))
    return sorted(found, key=lambda status: status.name)


class StreamsClient(EventsClient):
    """The web side: the same interface as `RunnerClient`, for runs dispatched through Redis."""

    def __init__(
        self,
        redis_url: str,
        *,
        queue_limit: int = 100,
        queue_seconds: float = 30.0,
        wall_seconds: float = 10.0,
        session_seconds: float = 600.0,
    ) -> None:
        self.redis_url = redis_url
        self.queue_limit = queue_limit
        self.queue_seconds = queue_seconds
        self.wall_seconds = wall_seconds
        self.session_seconds = session_seconds
        # redis.asyncio connections belong to the event loop that made them.
        self._connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]
        self._connections = weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(cls, settings: Settings) -> StreamsClient:
        assert settings.redis_url
        return cls(
            settings.redis_url,
            queue_limit=settings.run_queue_limit,
            queue_seconds=settings.run_queue_seconds,
            wall_seconds=settings.sandbox_wall_seconds,
            session_seconds=settings.sandbox_session_seconds,
        )

    def __str__(self) -> str:
        return f"redis://{where(self.redis_url)}"

    def connection(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        connection = self._connections.get(loop)
        if connection is None:
            connection = aioredis.Redis.from_url(
                self.redis_url,
                decode_responses=True,
                socket_connect_timeout=3,
                socket_timeout=_POLL + 5,
            )
            self._connections[loop] = connection
        return connection

    async def runners(self) -> list[RunnerStatus]:
        """Every runner whose heartbeat is current."""
        try:
            return await read_heartbeats(self.connection())
        except RedisError as error:
            raise RunnerUnavailableError(_unreachable(self.redis_url, error)) from error

    async def ping(self) -> RunnerInfo:
        """The runners' capacity and load added up, with the weakest isolation among them;
        raises `RunnerUnavailableError` when no runner is up."""
        statuses = await self.runners()
        if not statuses:
            raise RunnerUnavailableError(
                f"No code runner is connected to the run queue at {self}. Start one with "
                "`deepdive runner --redis URL`."
            )
        try:
            queued = await waiting_runs(self.connection())
        except RedisError as error:
            raise RunnerUnavailableError(_unreachable(self.redis_url, error)) from error
        infos = [status.info for status in statuses]
        weakest = next((info for info in infos if not info.isolation.full), infos[0])
        ready: dict[str, int] = {}
        for info in infos:
            for flavor, count in info.ready.items():
                ready[flavor] = ready.get(flavor, 0) + count
        return weakest.model_copy(
            update={
                "workers": sum(status.capacity for status in statuses),
                "running": sum(status.running for status in statuses),
                "queued": queued,
                "ready": ready,
                "instruments": sorted(set.intersection(*(set(i.instruments) for i in infos))),
            }
        )

    async def submit(self, request: RunRequest, owner: str | None) -> DispatchedRun:
        """Queue `request`; 503-style `RunQueueFullError` when too many runs wait already."""
        connection = self.connection()
        now = time.time()
        start_by = now + self.queue_seconds
        if request.kind == "session":
            deadline = start_by + self.session_seconds + MARGIN_SECONDS
        else:
            wall = min(request.limits.wall_seconds or self.wall_seconds, self.wall_seconds)
            deadline = start_by + wall + MARGIN_SECONDS
        run_id = uuid.uuid4().hex
        entry = {
            "run_id": run_id,
            "owner": owner,
            "start_by": start_by,
            "deadline": deadline,
            "request": request.model_dump(mode="json"),
        }
        try:
            await ensure_group(connection)
            waiting = await waiting_runs(connection, limit=self.queue_limit + 1)
            if waiting >= self.queue_limit:
                raise RunQueueFullError(QUEUE_FULL.format(waiting=waiting), RETRY_AFTER)
            entry_id = await connection.xadd(
                STREAM, {"run": json.dumps(entry)}, maxlen=STREAM_CAP, approximate=True
            )
        except RedisError as error:
            raise RunnerUnavailableError(_unreachable(self.redis_url, error)) from error
        return DispatchedRun(self, run_id, entry_id, start_by, deadline)

    async def events(
        self, request: RunRequest, *, owner: str | None = None
    ) -> AsyncIterator[RunEvent]:
        """Run `request` on whichever runner takes it: `Queued` (from the web side's view of
        the queue, then the runner's), `Started`, `CaseFinished`s, `Finished(result)`."""
        run = await self.submit(request, owner)
        try:
            while (event := await run.next_event()) is not None:
                yield event
        finally:
            await run.close()

    def session(self, request: RunRequest, *, owner: str | None = None) -> StreamsSession:
        if request.kind != "session":
            raise ValueError("client.session() needs a RunRequest with kind='session'")
        return StreamsSession(self, request, owner)


class DispatchedRun:
    """One run in the queue, seen from the web worker that waits for it."""

    def __init__(
        self, client: StreamsClient, run_id: str, entry_id: str, start_by: float, deadline: float
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.entry_id = entry_id
        self.start_by = start_by
        self.deadline = deadline
        self.finished = False
        self.started = False
        self.attempt = 0
        self._position = 0
        self._cases: set[str] = set()
        self._announced = False

    async def next_event(self) -> RunEvent | None:
        """The run's next event; None after its result. Raises on a lost or malformed run."""
        connection = self.client.connection()
        while not self.finished:
            remaining = self.deadline - time.time()
            if remaining <= 0:
                await self.close()
                if self.started:
                    raise RunLostError(RUNNER_STOPPED)
                raise RunLostError(NOBODY_TOOK_IT.format(seconds=self.client.queue_seconds))
            try:
                if not self.started and (position := await self._queue_position()):
                    return Queued(position=position)
                item = await connection.blpop([reply_key(self.run_id)], min(_POLL, remaining))
            except RedisError as error:
                raise RunnerUnavailableError(_unreachable(self.client.redis_url, error)) from error
            if item is not None:
                event = self._accept(item[1])
                if event is not None:
                    return event
        return None

    async def _queue_position(self) -> int:
        """The run's place among the runs no runner has taken yet, when it changed (else 0)."""
        connection = self.client.connection()
        limit = self.client.queue_limit * 2 + 10
        position = await waiting_runs(connection, upto=self.entry_id, limit=limit)
        if position == self._position:
            return 0
        self._position = position
        return position

    def _accept(self, raw: str) -> RunEvent | None:
        """Check one envelope: an event to pass on, None to ignore, or an exception."""
        if len(raw) > MAX_ENVELOPE:
            self._fail(f"a reply of {len(raw)} bytes, more than {MAX_ENVELOPE}")
        try:
            envelope = json.loads(raw)
        except ValueError:
            self._fail("a reply that is not JSON")
        if not isinstance(envelope, dict):
            self._fail("a reply that is not a JSON object")
        if envelope.get("run_id") != self.run_id:
            other = envelope.get("run_id")
            log.warning("ignored a reply for run %.40r on run %s", other, self.run_id)
            return None
        attempt = envelope.get("attempt")
        if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
            self._fail("a reply without a valid attempt number")
        if attempt < self.attempt:
            return None  # an earlier start of the run, overtaken by a later one
        self.attempt = attempt
        if "error" in envelope:
            self._raise_error(envelope["error"])
        try:
            event = _EVENTS.validate_python(envelope.get("event"))
        except ValidationError as problem:
            first = problem.errors()[0]
            place = ".".join(str(part) for part in first["loc"]) or "event"
            self._fail(f"{place}: {first['msg']}")
        if isinstance(event, Queued):
            return None if self.started else event
        if isinstance(event, Started):
            if self.started:
                return None  # a runner took the run over: the page saw it start already
            self.started = True
        elif isinstance(event, CaseFinished):
            if event.case.nodeid in self._cases:
                return None
            self._cases.add(event.case.nodeid)
        elif isinstance(event, Finished):
            self.finished = True
        elif not isinstance(event, SessionEvent):  # pragma: no cover - the union is closed
            return None
        return event

    def _raise_error(self, error: object) -> None:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            self._fail("an error without a message")
        self.finished = True
        kind = _ERRORS.get(str(error.get("reason")), RunnerError)
        raise kind(error["message"][:_MAX_MESSAGE])

    def _fail(self, problem: str) -> Any:
        self.finished = True
        raise RunLostError(MALFORMED.format(problem=problem))

    async def close(self) -> None:
        """Stop waiting: a runner that has not started the run yet drops it."""
        connection = self.client.connection()
        with contextlib.suppress(RedisError):
            async with connection.pipeline(transaction=False) as pipe:
                if not self.finished:
                    pipe.set(cancel_key(self.run_id), "1", exat=int(self.deadline) + _KEEP)
                pipe.delete(reply_key(self.run_id), commands_key(self.run_id))
                await pipe.execute()


class StreamsSession(Session):
    """A session run dispatched through Redis: commands go to the runner that holds the
    session's sandbox through the run's command list, its events come back on the reply list."""

    def __init__(self, client: StreamsClient, request: RunRequest, owner: str | None) -> None:
        super().__init__(client, request, owner)  # type: ignore[arg-type]
        self._streams = client
        self._run: DispatchedRun | None = None

    async def __aenter__(self) -> StreamsSession:
        self._run = await self._streams.submit(self._request, self._owner)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.result is None and exc is None and not self._finished():
                await self.end()
        finally:
            if self._run is not None:
                if self.result is None and not self._run.finished:
                    with contextlib.suppress(RunnerUnavailableError):
                        await self.send(SessionCommand(op="end"))
                await self._run.close()

    def _finished(self) -> bool:
        return self._run is None or self._run.finished

    async def send(self, command: SessionCommand) -> None:
        assert self._run is not None
        key = commands_key(self._run.run_id)
        connection = self._streams.connection()
        try:
            async with connection.pipeline(transaction=False) as pipe:
                pipe.rpush(key, command.model_dump_json())
                pipe.expireat(key, int(self._run.deadline) + _KEEP)
                await pipe.execute()
        except RedisError as error:
            raise RunnerUnavailableError(_unreachable(self._streams.redis_url, error)) from error

    async def next_event(self) -> RunEvent | None:
        if self.result is not None:
            return None
        assert self._run is not None
        event = await self._run.next_event()
        if isinstance(event, Finished):
            self.result = event.result
        if event is None and self.result is None:
            raise RunLostError(RUNNER_STOPPED)
        return event


def dispatch_client(settings: Settings) -> StreamsClient | None:
    """The web side's client when runs go through Redis: hosted mode without a `runner_url`."""
    if settings.mode == "hosted" and settings.redis_url and not settings.runner_url:
        return StreamsClient.from_settings(settings)
    return None


def isolation_warning_sync(redis_url: str) -> str | None:
    """What the runners up now say about missing isolation (for pages); None when complete
    or when nothing can be known yet."""
    try:
        with redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2) as r:
            names = list(r.scan_iter(match=f"{RUNNERS}*", count=100))
            statuses = _statuses(r.mget(names) if names else [])
    except RedisError:
        return None
    warnings = [s.info.isolation.warning for s in statuses if not s.info.isolation.full]
    return warnings[0] if warnings else None


def resolved(url: str) -> str:
    """`url` with its host name resolved to an address, here and now.

    A runner forks sandboxes, which must not happen while other threads exist; asyncio would
    resolve a host name on a helper thread at each connection. Resolved on this thread, it
    never needs to.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if not host or parts.scheme not in ("redis", "rediss"):
        return url
    try:
        address = socket.getaddrinfo(host, parts.port or 6379, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        return url
    if address == host:
        return url
    netloc = parts.netloc.rpartition("@")
    shown = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    location = f"{netloc[0]}@{shown}{port}" if netloc[1] else f"{shown}{port}"
    return urlunsplit((parts.scheme, location, parts.path, parts.query, parts.fragment))


def runner_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"
