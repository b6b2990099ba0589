import logging
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))  # to stderr, one line each
log = logging.getLogger("app")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.ready = True
    yield
    app.state.ready = False


app = FastAPI(lifespan=lifespan)
app.state.ready = False


@app.get("/health")
def health():
    """Liveness: the process answers. Nothing slow or external is checked here."""
    return {"status": "ok"}


@app.get("/ready")
def ready(response: Response):
    if not app.state.ready:
        response.status_code = 503
        return {"status": "starting"}
    return {"status": "ready"}


@app.get("/books")
def list_books():
    log.info("listing books")
    return [{"title": "Dune"}]
