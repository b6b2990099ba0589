"""Notes API: a database session per request, from a small connection pool."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

engine = create_engine(
    "sqlite:///notes.db", poolclass=QueuePool, pool_size=2, max_overflow=0, pool_timeout=0.5
)
with engine.begin() as connection:
    connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)"))
    connection.execute(text("INSERT OR IGNORE INTO notes VALUES (1, 'buy milk'), (2, 'call bob')"))
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# The notes tried so far, written down: read without a session, so no connection is taken.
NOTES = {1: "buy milk", 2: "call bob"}


@app.get("/notes/{note_id}")
def read_note(note_id: int) -> dict[str, object]:
    if note_id not in NOTES:
        raise HTTPException(404, "No such note")
    return {"id": note_id, "body": NOTES[note_id]}


@app.get("/pool")
def pool_status() -> dict[str, str]:
    return {"status": engine.pool.status()}
