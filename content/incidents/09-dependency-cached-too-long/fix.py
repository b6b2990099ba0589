"""Payments API: every request gets an id, logged and returned, to trace a payment end to end."""

import logging
import uuid
from typing import Annotated

from fastapi import Depends, FastAPI, Response

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = FastAPI()


def request_id() -> str:
    return uuid.uuid4().hex


RequestId = Annotated[str, Depends(request_id)]


def audit_log(rid: RequestId) -> logging.LoggerAdapter:
    return logging.LoggerAdapter(logging.getLogger("payments"), {"request_id": rid})


@app.post("/payments")
def pay(
    response: Response,
    rid: RequestId,
    log: Annotated[logging.LoggerAdapter, Depends(audit_log)],
) -> dict[str, str]:
    log.info("payment accepted [request_id=%s]", log.extra["request_id"])
    response.headers["X-Request-ID"] = log.extra["request_id"]
    return {"status": "accepted", "request_id": rid}
