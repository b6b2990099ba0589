"""The framework benchmark from the page: the last result, its chart, and (local mode only) a run
streamed as it goes. A run starts servers of the course's own apps, never a learner's code."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from deepdive.bench import BenchSettings, WrkMissingError, latest, run_benchmark
from deepdive.bench.core import results_dir, save

router = APIRouter(tags=["benchmark"])


class LatestOut(BaseModel):
    result: dict[str, Any] | None = Field(description="The last result saved on this machine")
    message: str
    can_run: bool = Field(description="Whether this server can run the benchmark from the page")


class BenchIn(BaseModel):
    quick: bool = Field(default=True, description="The short run (under 30 s)")


def _lock(request: Request) -> threading.Lock:
    state = request.app.state
    if not hasattr(state, "bench_lock"):
        state.bench_lock = threading.Lock()
    return state.bench_lock


@router.get("/api/bench/latest")
def latest_result(request: Request) -> LatestOut:
    settings = request.app.state.settings
    found = latest(settings.data_dir)
    local = settings.mode == "local"
    if found is None:
        how = "Run it with `deepdive bench`" + (" or the button below." if local else ".")
        return LatestOut(
            result=None, message=f"No benchmark has run on this machine. {how}", can_run=local
        )
    when = found["started_at"][:16].replace("T", " ")
    message = f"Measured on {found['machine']['cpu_model']}, {when} UTC."
    return LatestOut(result=found, message=message, can_run=local)


@router.get("/bench/latest.svg", include_in_schema=False)
def latest_chart(request: Request) -> Response:
    path = results_dir(request.app.state.settings.data_dir) / "latest.svg"
    try:
        return Response(path.read_bytes(), media_type="image/svg+xml")
    except OSError:
        raise HTTPException(404, "No benchmark has run on this machine yet.") from None


@router.post("/api/bench", responses={200: {"content": {"application/x-ndjson": {}}}})
async def start_benchmark(request: Request, body: BenchIn | None = None) -> StreamingResponse:
    """Run the benchmark (local mode only); progress and the result arrive as JSON lines."""
    settings = request.app.state.settings
    if settings.mode != "local":
        raise HTTPException(404, "The benchmark runs only in a course on your own machine.")
    lock = _lock(request)
    if not lock.acquire(blocking=False):
        raise HTTPException(409, "A benchmark is already running; wait for it to finish.")
    plan = BenchSettings.preset(quick=(body or BenchIn()).quick)
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def tell(event: dict[str, Any] | None) -> None:
        loop.call_soon_threadsafe(events.put_nowait, event)

    def work() -> None:
        try:
            result = run_benchmark(
                settings.content_dir,
                plan,
                lambda text, fraction: tell(
                    {"type": "progress", "text": text, "fraction": round(fraction, 3)}
                ),
            )
            save(result, settings.data_dir)
            tell({"type": "result", "result": result.to_json()})
        except WrkMissingError as missing:
            tell({"type": "error", "message": str(missing)})
        except Exception as problem:  # the page must hear why it stopped
            tell({"type": "error", "message": f"The benchmark stopped: {problem}"})
        finally:
            lock.release()  # released by the run itself, even if the page went away
            tell(None)

    threading.Thread(target=work, name="deepdive-bench", daemon=True).start()

    async def stream() -> AsyncIterator[bytes]:
        yield (
            json.dumps({"type": "started", "estimated_seconds": plan.estimated_seconds}) + "\n"
        ).encode()
        while (event := await events.get()) is not None:
            yield (json.dumps(event) + "\n").encode()

    return StreamingResponse(stream(), media_type="application/x-ndjson")
