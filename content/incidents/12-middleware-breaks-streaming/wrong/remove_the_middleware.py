"""Reports API: a CSV export streamed row by row, behind a middleware that logs response sizes."""

import time
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


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
