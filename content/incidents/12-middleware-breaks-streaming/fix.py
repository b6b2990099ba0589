"""Reports API: a CSV export streamed row by row, behind a middleware that logs response sizes."""

import logging
import time
from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("reports")
app = FastAPI()


@app.middleware("http")
async def log_size(request: Request, call_next):
    response = await call_next(request)
    original = response.body_iterator

    async def counted():
        size = 0
        async for chunk in original:
            size += len(chunk)
            yield chunk
        logger.info("%s %s sent %d bytes", request.method, request.url.path, size)

    response.body_iterator = counted()
    return response


def rows() -> Iterator[str]:
    yield "id,amount\n"
    for number in range(1, 6):
        time.sleep(0.05)  # each row is computed from the ledger
        yield f"{number},{number * 10}\n"


@app.get("/export")
def export() -> StreamingResponse:
    headers = {"Content-Disposition": 'attachment; filename="ledger.csv"'}
    return StreamingResponse(rows(), media_type="text/csv", headers=headers)


@app.get("/summary")
def summary() -> dict[str, int]:
    return {"rows": 5, "total": 150}
