from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = 80  # AnyIO's default is 40 worker threads
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/threads")
async def thread_limit():
    limiter = anyio.to_thread.current_default_thread_limiter()
    return {"limit": limiter.total_tokens}
