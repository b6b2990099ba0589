"""What a sandbox may tell the runner, checked on arrival, and the bounded queue of its events.

The learner's code runs in the sandbox's own process, so it can write anything to the control
socket. The runner therefore validates every message against these models; a packet that is not
a message at all (not a JSON object with a type) is noise and only counted, and a message that
names a type but breaks its model ends the run. Budgets keep a sandbox from flooding the runner:
a few messages per run besides the events of session and test runs, which wait in an
`EventQueue` bounded in number and in bytes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from deepdive.sandbox.run_result import Frame

# Messages per sandbox other than deliverable events: a genuine sandbox sends about five.
MAX_MESSAGES = 100
MAX_EVENTS = 1000
MAX_EVENT_BYTES = 8 * 1024 * 1024
# What a sandbox's messages may add to the runner's log.
LOG_LINES = 3
LOG_CHARS = 2000


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Forked(_Message):
    """From the runner's direct child: the PID of the sandbox's PID 1, as the runner sees it."""

    type: Literal["forked"]
    pid: int = Field(gt=0)


class Failed(_Message):
    """The sandbox's own code failed (a traceback)."""

    type: Literal["failed"]
    error: str = Field(default="", max_length=8000)


class Ready(_Message):
    """Warm and limited: what isolation it achieved and what warming up cost."""

    type: Literal["ready"]
    features: dict[str, str | None] = Field(max_length=64)
    cpu: float = Field(ge=0)
    rss_mib: float = Field(ge=0)


class Done(_Message):
    """The result is in the region (the runner checks that it really is)."""

    type: Literal["done"]


class Tripped(_Message):
    """A limit tripped in the learner's code, and where."""

    type: Literal["tripped"]
    reason: Literal["wall", "cpu", "output"]
    frames: list[Frame] = Field(default_factory=list, max_length=5)


class Event(_Message):
    """Session and test runs: something to pass on to the client as it happens."""

    type: Literal["event"]
    event: dict[str, Any]


Message = Annotated[Forked | Failed | Ready | Done | Tripped | Event, Field(discriminator="type")]
MESSAGE: TypeAdapter[Message] = TypeAdapter(Message)


# Queued after a run's last event (compared by identity: no event from a sandbox is this object).
END: dict[str, Any] = {}


class EventQueue(asyncio.Queue[dict[str, Any]]):
    """Events on their way to the client: at most `MAX_EVENTS`, and `MAX_EVENT_BYTES` of them."""

    def __init__(self) -> None:
        super().__init__()
        self._sizes: deque[int] = deque()
        self.bytes = 0

    def offer(self, event: dict[str, Any], size: int) -> bool:
        """Queue `event` (`size` bytes on the wire); False, queueing nothing, when full."""
        if self.qsize() >= MAX_EVENTS or self.bytes + size > MAX_EVENT_BYTES:
            return False
        self._sizes.append(size)
        self.bytes += size
        self.put_nowait(event)
        return True

    def finish(self) -> None:
        """Mark the end: whoever reads the queue gets `END` after the last event."""
        self._sizes.append(0)
        self.put_nowait(END)

    def _get(self) -> dict[str, Any]:
        self.bytes -= self._sizes.popleft()
        return super()._get()  # type: ignore[misc]


def loggable(text: str) -> str:
    """A sandbox's text for the runner's log: cut short, and unable to pass for log records of
    its own (every line after the first is indented)."""
    if len(text) > LOG_CHARS:
        text = f"…{text[-LOG_CHARS:]}"
    return text.replace("\r", "\\r").replace("\n", "\n    | ")
