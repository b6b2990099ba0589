import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


engine = create_async_engine(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/books.db")
SessionFactory = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionFactory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class BookIn(BaseModel):
    title: str


class BookOut(BookIn):
    id: int


app = FastAPI(lifespan=lifespan)


@app.post("/books", status_code=201)
async def create_book(data: BookIn, session: SessionDep) -> BookOut:
    book = Book(title=data.title)
    session.add(book)
    await session.commit()  # the await hands the event loop to other requests meanwhile
    return BookOut(id=book.id, title=book.title)


@app.get("/books")
async def list_books(session: SessionDep) -> list[BookOut]:
    books = await session.scalars(select(Book).order_by(Book.id))
    return [BookOut(id=b.id, title=b.title) for b in books]
