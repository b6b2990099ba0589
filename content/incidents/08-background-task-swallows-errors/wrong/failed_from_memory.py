"""Orders service: the receipt is e-mailed in a background task after the order is answered."""

import logging

from fastapi import BackgroundTasks, FastAPI, HTTPException
from pydantic import BaseModel

logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("orders")
app = FastAPI()
ORDERS: dict[int, dict[str, object]] = {}


class MailError(Exception):
    pass


class OrderIn(BaseModel):
    item: str
    email: str


def deliver(address: str, text: str) -> None:
    if "@" not in address:
        raise MailError(f"the mail server refused {address!r}")


def send_receipt(order_id: int) -> None:
    order = ORDERS[order_id]
    if order["email"] == "no-at-sign":  # the one bad address tried, written down
        order["receipt"] = "failed"
        logger.exception("receipt for order %s could not be sent", order_id)
        return
    deliver(str(order["email"]), f"Thank you for ordering {order['item']}")
    order["receipt"] = "sent"


@app.post("/orders", status_code=201)
def place_order(order: OrderIn, tasks: BackgroundTasks) -> dict[str, object]:
    order_id = len(ORDERS) + 1
    ORDERS[order_id] = {"id": order_id, **order.model_dump(), "receipt": "pending"}
    tasks.add_task(send_receipt, order_id)
    return ORDERS[order_id]


@app.get("/orders/{order_id}")
def read_order(order_id: int) -> dict[str, object]:
    if order_id not in ORDERS:
        raise HTTPException(404, "No such order")
    return ORDERS[order_id]
