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


@app.get("/notes/{note_id}")
def read_note(note_id: int, session: SessionDep) -> dict[str, object]:
    body = session.execute(text("SELECT body FROM notes WHERE id = :id"), {"id": note_id}).scalar()
    if body is None:
        raise HTTPException(404, "No such note")
    return {"id": note_id, "body": body}


@app.get("/pool")
def pool_status() -> dict[str, str]:
    return {"status": engine.pool.status()}
