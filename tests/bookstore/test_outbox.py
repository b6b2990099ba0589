"""The welcome message: queued as a background task, kept in the outbox, never lost silently."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, text
from tests.bookstore.conftest import sign_in, sign_up


def test_sign_up_puts_a_welcome_message_in_the_outbox_for_admins(client, admin):
    sign_up(client, "newcomer", full_name="New Comer")

    response = client.get("/admin/outbox", headers=admin)

    assert response.status_code == 200
    [message] = response.json()
    assert message["recipient"] == "newcomer@example.com"
    assert "New Comer" in message["body"]


def test_outbox_is_newest_first_and_paged(client, admin):
    for name in ("first", "second", "third"):
        sign_up(client, name)

    page = client.get("/admin/outbox?limit=2&offset=1", headers=admin).json()

    assert [m["recipient"] for m in page] == ["second@example.com", "first@example.com"]


def test_readers_cannot_read_the_outbox(client, reader):
    response = client.get("/admin/outbox", headers=reader)

    assert response.status_code == 403


def test_a_failing_welcome_task_is_logged_with_its_message_and_sign_up_still_works(
    client, settings, caplog
):
    # Make the outbox unwritable, as a broken database would.
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox_messages"))
    engine.dispose()

    with caplog.at_level(logging.ERROR, logger="bookstore"):
        response = client.post(
            "/users",
            json={"username": "unlucky", "email": "unlucky@example.com", "password": "long enough"},
        )

    assert response.status_code == 201
    [record] = [r for r in caplog.records if r.name == "bookstore.services.outbox"]
    assert record.outbox_message["recipient"] == "unlucky@example.com"
    assert record.exc_info is not None
    assert sign_in(client, "unlucky", "long enough")
