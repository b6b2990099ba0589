import time

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ProcessTimeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = time.perf_counter() - started
                MutableHeaders(scope=message)["X-Process-Time"] = f"{elapsed:.6f}"
            await send(message)

        await self.app(scope, receive, send_with_time)


app = FastAPI()
app.add_middleware(ProcessTimeMiddleware)


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}
