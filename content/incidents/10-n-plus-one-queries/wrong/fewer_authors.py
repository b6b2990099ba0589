"""Library API: authors with their books, from a database a few milliseconds away."""

import tempfile
import time

from fastapi import FastAPI
from sqlalchemy import ForeignKey, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

engine = create_engine(f"sqlite:///{tempfile.mkdtemp()}/library.db")
metrics = {"queries": 0}


@event.listens_for(engine, "before_cursor_execute")
def count_query(conn, cursor, statement, parameters, context, executemany):
    # Stands in for the network: the real database is 5 ms away.
    time.sleep(0.005)
    metrics["queries"] += 1
    if statement.lstrip().upper().startswith("SELECT"):
        print("SQL:", " ".join(statement.split())[:90], parameters)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


Base.metadata.create_all(engine)
with Session(engine) as setup:
    for number in range(1, 31):
        author = Author(name=f"Author {number}")
        author.books = [Book(title=f"Book {number}.{part}") for part in (1, 2)]
        setup.add(author)
    setup.commit()
app = FastAPI()


@app.get("/authors")
def list_authors() -> list[dict[str, object]]:
    with Session(engine) as session:
        authors = session.scalars(select(Author).order_by(Author.id).limit(5)).all()
        return [
            {"name": author.name, "books": [book.title for book in author.books]}
            for author in authors
        ]


@app.get("/metrics")
def read_metrics() -> dict[str, int]:
    return metrics
