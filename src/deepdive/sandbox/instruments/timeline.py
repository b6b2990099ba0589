"""`timeline`: when each request started and finished, measured inside the sandbox.

Offsets are milliseconds since the run started. `response_ms` is when the last byte of the body
was sent; `end_ms` is when the app returned, later than `response_ms` when background tasks ran
after the response.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.worker.asgi import ASGIApp, Message, Receive, Scope, Send


class TimedRequest(ResultShape):
    request: int | None = Field(description="Index of the request in the run")
    method: str | None
    path: str | None
    start_ms: float = Field(description="When the app received the request")
    response_ms: float | None = Field(description="When the last byte of the body was sent")
    end_ms: float | None = Field(description="When the app returned (after background tasks)")
    status: int | None


class TimelineResult(ResultShape):
    requests: list[TimedRequest]
    total_ms: float = Field(description="From the first start to the last end")


@register
class Timeline(Instrument):
    name = "timeline"
    result_model = TimelineResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entries: list[dict[str, Any]] = []

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            exchange = self.context.exchange()
            entry: dict[str, Any] = {
                "request": exchange.index if exchange else None,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "start_ms": self._now(),
                "response_ms": None,
                "end_ms": None,
                "status": None,
            }
            self._entries.append(entry)

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
        return {"requests": self._entries, "total_ms": total}
