import pytest
from sqlalchemy import event
from sqlalchemy.orm.exc import DetachedInstanceError


def test_expired_attributes_cannot_be_read_once_the_session_is_closed(example):
    module = example("expire_on_commit")
    with pytest.raises(DetachedInstanceError):
        module.title_after_commit(module.ExpiringSession)


def test_expire_on_commit_false_keeps_the_values(example):
    module = example("expire_on_commit")
    assert module.title_after_commit(module.KeepingSession) == "Kindred"


def test_reading_an_expired_attribute_inside_the_session_sends_a_select(example):
    module = example("expire_on_commit")
    statements: list[str] = []
    event.listen(module.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with module.ExpiringSession() as session:
        book = module.Book(title="Exhalation")
        session.add(book)
        session.commit()
        statements.clear()
        assert book.title == "Exhalation"
    assert len(statements) == 1
    assert statements[0].startswith("SELECT")
