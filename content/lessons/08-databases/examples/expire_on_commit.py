from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


engine = create_engine("sqlite://")
Base.metadata.create_all(engine)

# The default: after commit every loaded attribute is expired, so the next read asks the database.
ExpiringSession = sessionmaker(engine)
# Objects keep the values they had at commit, and stay readable after the session closes.
KeepingSession = sessionmaker(engine, expire_on_commit=False)


def title_after_commit(factory: sessionmaker) -> str:
    with factory() as session:
        book = Book(title="Kindred")
        session.add(book)
        session.commit()
    return book.title  # the session is closed by now
