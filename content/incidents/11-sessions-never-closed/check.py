"""Hidden tests: every request gives its connection back, whatever its outcome.

The service's SQLite connections reach the check's database (the `database` fixture), where the
check adds a note of its own, with an id and a body drawn for every check: the service can only
answer it by reading the database, through its sessions.
"""

import random
import secrets
import time

import pytest

NOTE_ID = random.randint(100, 999_999)
BODY = f"water the plants {secrets.token_hex(3)}"
MISSING = NOTE_ID + random.randint(1, 1000)


def _add_the_note(client, database):
    client.get("/pool")  # once the service answers, it has made its table
    try:
        database.execute("INSERT OR REPLACE INTO notes (id, body) VALUES (?, ?)", (NOTE_ID, BODY))
    except Exception as problem:
        raise AssertionError(
            f"A note could not be added to the database ({problem}): keep the table notes(id, body)"
        ) from None


def test_many_reads_in_a_row_all_answer(client, database):
    _add_the_note(client, database)
    statuses = [client.get(f"/notes/{NOTE_ID}").status_code for _ in range(12)]
    assert statuses == [200] * 12, (
        f"Twelve reads of /notes/{NOTE_ID} in a row answered {statuses}: the pool of 2 "
        "connections runs dry, so sessions are not giving their connections back"
    )


def test_a_note_is_read(client, database):
    _add_the_note(client, database)
    response = client.get(f"/notes/{NOTE_ID}")
    assert response.status_code == 200, (
        f"GET /notes/{NOTE_ID} answered {response.status_code}: {response.text}"
    )
    assert response.json() == {"id": NOTE_ID, "body": BODY}, (
        f"GET /notes/{NOTE_ID} returned {response.json()}, not the note {BODY!r} stored under "
        "that id"
    )


def test_missing_notes_give_their_connection_back_too(client, database):
    _add_the_note(client, database)
    for _ in range(6):
        assert client.get(f"/notes/{MISSING}").status_code == 404
    statuses = [client.get(f"/notes/{NOTE_ID}").status_code for _ in range(4)]
    assert statuses == [200] * 4


def test_nothing_is_checked_out_between_requests(client, database):
    _add_the_note(client, database)
    for _ in range(3):
        client.get(f"/notes/{NOTE_ID}")
    # Code after a dependency's `yield` runs once the response is on its way: give it a moment.
    status = ""
    for _ in range(40):
        status = client.get("/pool").json()["status"]
        if "Current Checked out connections: 0" in status:
            return
        time.sleep(0.05)
    pytest.fail(f"Connections are still checked out after the requests ended: {status}")
