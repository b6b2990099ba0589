import asyncio

from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

events: list[str] = []


class WholeResponseTimer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            events.append("pure ASGI: the app returned")


app = FastAPI()
app.add_middleware(WholeResponseTimer)


@app.middleware("http")
async def header_timer(request: Request, call_next):
    response = await call_next(request)
    events.append("call_next returned")
    return response


async def rows():
    for number in range(1, 4):
        await asyncio.sleep(0.01)
        events.append(f"chunk {number} produced")
        yield f"row {number}\n"


@app.get("/report")
def report() -> StreamingResponse:
    return StreamingResponse(rows(), media_type="text/plain")
