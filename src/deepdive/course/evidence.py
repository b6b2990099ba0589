"""What an incident's broken service did under its workload, read from the sandbox's run.

Everything here is measured: the responses the service gave, the output it wrote and the
exceptions it raised (what its server's log would hold), and when each request started and
ended by the `timeline` instrument, drawn as a graph of bars on a common time axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from deepdive.course.incidents import Incident
from deepdive.sandbox import RunResult

MAX_LOG_LINES = 200
BODY_CHARS = 400
GRAPH_WIDTH = 600
BAR_HEIGHT = 12
BAR_GAP = 4


@dataclass(frozen=True)
class EvidenceRow:
    index: int
    label: str
    method: str
    path: str
    status: int
    latency_ms: float
    body: str
    error: str
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def outcome(self) -> str:
        """`error` (5xx or no answer), `refused` (4xx) or `ok`: the row's colour."""
        if self.status == 0 or self.status >= 500:
            return "error"
        return "refused" if self.status >= 400 else "ok"


@dataclass(frozen=True)
class Bar:
    """One request on the time axis: `wait_x`..`x` it waited to be taken up (sent by the client,
    not yet received by the service), `x`..`x + width` the service handled it."""

    wait_x: float
    x: float
    y: float
    width: float
    outcome: str
    title: str

    @property
    def wait_width(self) -> float:
        return round(self.x - self.wait_x, 1)


@dataclass(frozen=True)
class Evidence:
    rows: tuple[EvidenceRow, ...]
    log: tuple[str, ...]
    bars: tuple[Bar, ...]
    span_ms: float
    concurrent: bool
    message: str
    measured_at: datetime

    @property
    def error_rate(self) -> float:
        failed = sum(row.outcome != "ok" for row in self.rows)
        return failed / len(self.rows) if self.rows else 0.0

    def latency(self, quantile: float) -> float:
        values = sorted(row.latency_ms for row in self.rows)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(quantile * len(values)))]

    @property
    def graph_height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + BAR_GAP) + 24

    @property
    def graph_width(self) -> int:
        return GRAPH_WIDTH

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def read_evidence(incident: Incident, result: RunResult) -> Evidence:
    labels = [label for label, _ in incident.meta.workload.expanded()]
    timeline = result.instrumentation.get("timeline") or {}
    timed = {
        entry.get("request"): entry
        for entry in timeline.get("requests", [])
        if isinstance(entry, dict) and entry.get("request") is not None
    }
    rows = []
    log: list[str] = []
    for index, response in enumerate(result.responses):
        # As the client saw it: from sending the request to the end of the answer.
        latency = response.elapsed_ms
        error = ""
        if response.error is not None:
            where = f" (line {response.error.line} of app.py)" if response.error.line else ""
            error = f"{response.error.type}: {response.error.message}{where}"
            log.append(f"ERROR {response.method} {response.path} → {response.status}: {error}")
        rows.append(
            EvidenceRow(
                index=index,
                label=labels[index] if index < len(labels) else f"request {index + 1}",
                method=response.method,
                path=response.path,
                status=response.status,
                latency_ms=round(latency, 1),
                body=response.body[:BODY_CHARS] + ("…" if len(response.body) > BODY_CHARS else ""),
                error=error,
                headers=tuple((name, value[:200]) for name, value in response.headers[:20]),
            )
        )
    output = [line for text in (result.stdout, result.stderr) for line in text.splitlines()]
    log = [*output, *log][:MAX_LOG_LINES]
    return Evidence(
        rows=tuple(rows),
        log=tuple(log),
        bars=_bars(rows, timed),
        span_ms=_span(result, timeline),
        concurrent=incident.meta.workload.concurrent,
        message=result.message,
        measured_at=datetime.now(UTC),
    )


def _span(result: RunResult, timeline: dict) -> float:
    """From the first request sent to the last answer, in milliseconds."""
    total = float(timeline.get("total_ms") or 0.0)
    slowest = max((response.elapsed_ms for response in result.responses), default=0.0)
    return round(max(total, slowest), 1)


def _bars(rows: list[EvidenceRow], timed: dict[object, dict]) -> tuple[Bar, ...]:
    spans = []
    for row in rows:
        entry = timed.get(row.index, {})
        start, end = entry.get("start_ms"), entry.get("end_ms")
        if start is None or end is None:
            continue
        # The client sent it `latency_ms` before the answer ended (never after it was received).
        sent = min(float(start), float(end) - row.latency_ms)
        spans.append((row, sent, float(start), float(end)))
    if not spans:
        return ()
    first = max(0.0, min(sent for _, sent, _, _ in spans))
    last = max(end for _, _, _, end in spans)
    scale = GRAPH_WIDTH / max(last - first, 1.0)

    def at(moment: float) -> float:
        return round(max(moment - first, 0.0) * scale, 1)

    return tuple(
        Bar(
            wait_x=at(sent),
            x=at(start),
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=max(round((end - start) * scale, 1), 2.0),
            outcome=row.outcome,
            title=(
                f"{row.method} {row.path} → {row.status}: waited {max(start - sent, 0):.0f} ms, "
                f"handled in {end - start:.0f} ms"
            ),
        )
        for index, (row, sent, start, end) in enumerate(spans)
    )
