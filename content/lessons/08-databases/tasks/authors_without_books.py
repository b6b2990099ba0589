import tempfile
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

# A database file of its own for each start of the app; every session borrows its own connection.
engine = create_engine(f"sqlite:///{tempfile.mkdtemp()}/bookshop.db")


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


Base.metadata.create_all(engine)
with Session(engine) as seed:
    seed.add_all(
        [
            Author(
                name="Ursula K. Le Guin",
                books=[Book(title="The Dispossessed", isbn="9780061054884")],
            ),
            Author(name="Octavia E. Butler", books=[Book(title="Kindred", isbn="9780807083697")]),
            Author(name="Ted Chiang", books=[Book(title="Exhalation", isbn="9781101947883")]),
        ]
    )
    seed.commit()


def get_session():
    session = Session(engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


class BookIn(BaseModel):
    title: str
    isbn: str
    author_id: int


class BookOut(BookIn):
    id: int


class BookPatch(BaseModel):
    title: str | None = None
    isbn: str | None = None


class AuthorOut(BaseModel):
    id: int
    name: str
    books: list[str]


app = FastAPI()


@app.post("/books", status_code=201)
def create_book(data: BookIn, session: SessionDep) -> BookOut:
    book = Book(**data.model_dump())
    session.add(book)
    session.commit()
    return BookOut(id=book.id, title=book.title, isbn=book.isbn, author_id=book.author_id)


@app.get("/books")
def list_books(session: SessionDep) -> list[BookOut]:
    books = session.scalars(select(Book).order_by(Book.id))
    return [BookOut(id=b.id, title=b.title, isbn=b.isbn, author_id=b.author_id) for b in books]


def find_book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id)
    if book is None:
        raise HTTPException(404, f"There is no book {book_id}")
    return book


@app.get("/books/{book_id}")
def read_book(book_id: int, session: SessionDep) -> BookOut:
    b = find_book(session, book_id)
    return BookOut(id=b.id, title=b.title, isbn=b.isbn, author_id=b.author_id)


@app.patch("/books/{book_id}")
def update_book(book_id: int, data: BookPatch, session: SessionDep) -> BookOut:
    book = find_book(session, book_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(book, field, value)
    session.commit()
    return BookOut(id=book.id, title=book.title, isbn=book.isbn, author_id=book.author_id)


@app.delete("/books/{book_id}", status_code=204)
def delete_book(book_id: int, session: SessionDep) -> None:
    session.delete(find_book(session, book_id))
    session.commit()


@app.post("/authors/{author_id}/retire")
def retire_author(author_id: int, session: SessionDep) -> dict[str, str]:
    for book in session.scalars(select(Book).where(Book.author_id == author_id)):
        session.delete(book)
    session.flush()  # the DELETEs reach the database, inside the open transaction
    raise RuntimeError("the archive is offline")  # so nothing is committed


@app.get("/authors")
def list_authors(session: SessionDep) -> list[AuthorOut]:
    authors = session.scalars(select(Author).order_by(Author.id))
    return [AuthorOut(id=a.id, name=a.name, books=[]) for a in authors]
