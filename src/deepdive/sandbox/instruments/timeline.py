"""`timeline`: when each request started and finished, measured inside the sandbox.

Offsets are milliseconds since the run started. `response_ms` is when the last byte of the body
was sent; `end_ms` is when the app returned, later than `response_ms` when background tasks ran
after the response.

Two more things are measured, for lessons about concurrency: each stretch of work the app handed
to a worker thread (`anyio.to_thread.run_sync`, which FastAPI uses for plain `def` endpoints and
dependencies and `run_in_threadpool`), with when it was handed over and when a thread actually
started it; and each background task Starlette ran, with the exception it raised, if any. The
thread limit is read from AnyIO's default limiter in the running app.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import anyio
import anyio.to_thread
import starlette.background
from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.worker.asgi import ASGIApp, Message, Receive, Scope, Send


class ThreadSpan(ResultShape):
    queued_ms: float = Field(description="When the work was handed to the thread pool")
    start_ms: float | None = Field(description="When a worker thread started it")
    end_ms: float | None = Field(description="When it finished")
    thread: int = Field(description="Which worker thread (1, 2, ... in order of first use)")


class TaskSpan(ResultShape):
    name: str = Field(description="The background task's function")
    start_ms: float
    end_ms: float | None
    error: str | None = Field(description="`Type: message` of what the task raised")


class TimedRequest(ResultShape):
    request: int | None = Field(description="Index of the request in the run")
    method: str | None
    path: str | None
    start_ms: float = Field(description="When the app received the request")
    response_ms: float | None = Field(description="When the last byte of the body was sent")
    end_ms: float | None = Field(description="When the app returned (after background tasks)")
    status: int | None
    threads: list[ThreadSpan] = Field(default_factory=list)
    tasks: list[TaskSpan] = Field(default_factory=list)


class TimelineResult(ResultShape):
    requests: list[TimedRequest]
    total_ms: float = Field(description="From the first start to the last end")
    thread_limit: int | None = Field(
        default=None, description="AnyIO's default thread limiter: how many threads at once"
    )
    peak_threads: int = Field(default=0, description="Most worker threads busy at one time")


@register
class Timeline(Instrument):
    name = "timeline"
    result_model = TimelineResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entries: list[dict[str, Any]] = []
        self._by_index: dict[int, dict[str, Any]] = {}
        self._thread_numbers: dict[int, int] = {}
        self._thread_limit: int | None = None

    def before_import(self) -> None:
        run_sync = anyio.to_thread.run_sync
        task_call = starlette.background.BackgroundTask.__call__
        instrument = self

        @functools.wraps(run_sync)
        async def timed_run_sync(func: Any, *args: Any, **kwargs: Any) -> Any:
            entry = instrument._current()
            if entry is None:
                return await run_sync(func, *args, **kwargs)
            span: dict[str, Any] = {
                "queued_ms": instrument._now(),
                "start_ms": None,
                "end_ms": None,
                "thread": 0,
            }
            entry["threads"].append(span)

            def in_thread(*inner: Any) -> Any:
                span["start_ms"] = instrument._now()
                span["thread"] = instrument._thread_number()
                try:
                    return func(*inner)
                finally:
                    span["end_ms"] = instrument._now()

            return await run_sync(in_thread, *args, **kwargs)

        async def timed_task(task: starlette.background.BackgroundTask) -> None:
            entry = instrument._current()
            if entry is None:
                await task_call(task)
                return
            record: dict[str, Any] = {
                "name": getattr(task.func, "__name__", repr(task.func))[:80],
                "start_ms": instrument._now(),
                "end_ms": None,
                "error": None,
            }
            entry["tasks"].append(record)
            try:
                await task_call(task)
            except Exception as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"[:300]
                raise
            finally:
                record["end_ms"] = instrument._now()

        anyio.to_thread.run_sync = timed_run_sync  # type: ignore[assignment]
        starlette.background.BackgroundTask.__call__ = timed_task  # type: ignore[method-assign]

    def _current(self) -> dict[str, Any] | None:
        exchange = self.context.exchange()
        return self._by_index.get(exchange.index) if exchange else None

    def _thread_number(self) -> int:
        ident = threading.get_ident()
        return self._thread_numbers.setdefault(ident, len(self._thread_numbers) + 1)

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            if self._thread_limit is None:
                limiter = anyio.to_thread.current_default_thread_limiter()
                self._thread_limit = int(limiter.total_tokens)
            exchange = self.context.exchange()
            entry: dict[str, Any] = {
                "request": exchange.index if exchange else None,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "start_ms": self._now(),
                "response_ms": None,
                "end_ms": None,
                "status": None,
                "threads": [],
                "tasks": [],
            }
            self._entries.append(entry)
            if exchange is not None:
                self._by_index[exchange.index] = entry

            async def send_timed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    entry["status"] = message.get("status")
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    entry["response_ms"] = self._now()

            try:
                await app(scope, receive, send_timed)
            finally:
                entry["end_ms"] = self._now()

        return timed

    def _now(self) -> float:
        return round(self.context.elapsed_ms(), 3)

    def result(self) -> Any:
        ends = [e["end_ms"] for e in self._entries if e["end_ms"] is not None]
        starts = [e["start_ms"] for e in self._entries]
        total = round(max(ends) - min(starts), 3) if ends and starts else 0.0
        return {
            "requests": self._entries,
            "total_ms": total,
            "thread_limit": self._thread_limit,
            "peak_threads": self._peak_threads(),
        }

    def _peak_threads(self) -> int:
        # +1 when a thread starts a piece of work, -1 when it ends; ends sort before starts.
        edges = []
        for entry in self._entries:
            for span in entry["threads"]:
                if span["start_ms"] is not None:
                    edges.append((span["start_ms"], 1))
                    edges.append((span["end_ms"] if span["end_ms"] is not None else 1e12, -1))
        busy = peak = 0
        for _, step in sorted(edges):
            busy += step
            peak = max(peak, busy)
        return peak
