import logging
import os

from fastapi import FastAPI

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))  # to stderr, one line each
log = logging.getLogger("app")
app = FastAPI()


@app.get("/books")
def list_books():
    log.info("listing books")
    return [{"title": "Dune"}]
