from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Stands for a connection pool: opened once at start-up, closed at shutdown.
    app.state.catalogue = {"open": True}
    yield
    app.state.catalogue["open"] = False


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health(request: Request) -> dict[str, bool]:
    return {"catalogue_open": request.app.state.catalogue["open"]}
