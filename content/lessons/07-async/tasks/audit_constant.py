import asyncio
import logging

from fastapi import BackgroundTasks, FastAPI

app = FastAPI()
logger = logging.getLogger("orders")
outbox: list[str] = []
failed_tasks: list[str] = []


async def send_email(to: str, subject: str) -> None:
    await asyncio.sleep(0.5)  # the mail server takes its time
    outbox.append(f"{to}: {subject}")


def write_audit_log(order_id: int) -> None:
    raise RuntimeError(f"the audit log is full, order {order_id} was not recorded")


def audit_or_record(order_id: int) -> None:
    try:
        write_audit_log(order_id)
    except Exception as error:
        logger.exception("audit task failed")
        failed_tasks.append(f"order {order_id}: {error}")


@app.post("/orders/{order_id}", status_code=202)
async def place_order(order_id: int, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_email, "ada@example.com", f"Order {order_id} received")
    return {"order_id": order_id, "status": "accepted"}


@app.post("/orders/{order_id}/audited", status_code=202)
async def place_audited_order(order_id: int, background_tasks: BackgroundTasks):
    background_tasks.add_task(audit_or_record, order_id)
    return {"order_id": order_id, "status": "accepted"}


@app.post("/signup")
async def signup(email: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_email, email, "Welcome!")
    return {"email": email, "status": "registered"}


@app.get("/outbox")
async def read_outbox():
    return outbox


@app.get("/failed-tasks")
async def read_failed_tasks():
    return ["order 42: audit log unavailable"]  # written down, not recorded
