"""`async-timeline`: batches of requests sent all at once to the learner's app, drawn as a
measured timeline (each request's bar, the time spent waiting for a worker thread, background
tasks after the response) beside the ideal total, which is computed only as a reference."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    Slug,
    Strict,
    WalkRun,
)
from deepdive.sandbox.run_request import HttpRequest

DELAY_PLACEHOLDER = "{ms}"
MAX_BATCH_REQUESTS = 60


class Batch(Strict):
    """Requests sent at once: `path` with each delay of `delays_ms` put in place of `{ms}`, the
    whole set `repeat` times. `ideal` says how the reference total is computed: `overlap` (the
    longest delay), `serial` (their sum), `pool` (AnyIO's 40 worker threads) or `none`."""

    id: Slug
    label: str = Field(min_length=1, max_length=80)
    note: str = Field(min_length=1, max_length=400)
    method: Literal["GET", "POST"] = "GET"
    path: str = Field(pattern=r"^/", max_length=200)
    delays_ms: list[int] = Field(default_factory=list, max_length=10)
    repeat: int = Field(default=1, ge=1, le=MAX_BATCH_REQUESTS)
    ideal: Literal["overlap", "serial", "pool", "none"] = "overlap"

    @model_validator(mode="after")
    def _consistent(self) -> Batch:
        if any(not 0 <= delay <= 2000 for delay in self.delays_ms):
            raise ValueError("every delay is between 0 and 2000 ms")
        if bool(self.delays_ms) != (DELAY_PLACEHOLDER in self.path):
            raise ValueError("`path` holds `{ms}` exactly when the batch has `delays_ms`")
        if self.ideal != "none" and not self.delays_ms:
            raise ValueError("an ideal total needs `delays_ms` (or say `ideal: none`)")
        if len(self.requests()) > MAX_BATCH_REQUESTS:
            raise ValueError(f"a batch sends at most {MAX_BATCH_REQUESTS} requests")
        return self

    def requests(self) -> list[HttpRequest]:
        paths = [self.path.replace(DELAY_PLACEHOLDER, str(d)) for d in self.delays_ms]
        return [
            HttpRequest(method=self.method, path=path)
            for _ in range(self.repeat)
            for path in paths or [self.path]
        ]


class AsyncTimelineOptions(Strict):
    batches: list[Batch] = Field(min_length=1, max_length=8)


class AsyncTimeline(InteractiveBase):
    kind: Literal["async-timeline"]
    options: AsyncTimelineOptions

    instruments: ClassVar[tuple[str, ...]] = ("timeline",)
    summary: ClassVar[str] = (
        "Batches of requests sent at once to one editable app, drawn as a timeline measured in "
        "the sandbox: each request's bar, time waiting for a worker thread, background tasks "
        "after the response (and what they raised), the measured total beside the ideal one."
    )

    def page_batches(self) -> list[dict[str, object]]:
        """What the widget's script needs of each batch: the requests it sends at once."""
        return [
            {
                "id": batch.id,
                "label": batch.label,
                "ideal": batch.ideal,
                "delays_ms": batch.delays_ms,
                "repeat": batch.repeat,
                "requests": [r.model_dump(mode="json") for r in batch.requests()],
            }
            for batch in self.options.batches
        ]

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        seen: set[str] = set()
        for index, batch in enumerate(self.options.batches):
            if batch.id in seen:
                yield ("options", "batches", index, "id"), f"batch id {batch.id!r} is used twice"
            seen.add(batch.id)

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = []
        for name, relative in (("starter", self.starter), ("solution", self.solution)):
            if relative is None:
                continue
            for batch in self.options.batches:
                runs.append(
                    WalkRun(
                        description=f"{name} {relative} · batch {batch.id}",
                        code=sources[relative],
                        requests=batch.requests(),
                        instruments=list(self.instruments),
                        file=relative,
                        concurrent=True,
                    )
                )
        return runs
