from fastapi import BackgroundTasks, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

events: list[str] = []


class PureASGILogger:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            events.append("pure ASGI: after the app")


app = FastAPI()
app.add_middleware(PureASGILogger)


@app.middleware("http")
async def dispatch_logger(request: Request, call_next):
    response = await call_next(request)
    events.append("dispatch: after call_next")
    return response


def send_receipt(order_id: int) -> None:
    events.append(f"background task: receipt for order {order_id}")


@app.post("/orders/{order_id}")
def place_order(order_id: int, tasks: BackgroundTasks) -> dict[str, int]:
    tasks.add_task(send_receipt, order_id)
    events.append("endpoint returned")
    return {"order": order_id}
