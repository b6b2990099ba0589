import logging
import os

from fastapi import FastAPI

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))  # to stderr, one line each
log = logging.getLogger("app")
app = FastAPI()


@app.get("/health")
def health():
    """Liveness: the process answers. Nothing slow or external is checked here."""
    return {"status": "ok"}


@app.get("/ready")
def ready():
    return {"status": "ready"}


@app.get("/books")
def list_books():
    log.info("listing books")
    return [{"title": "Dune"}]
