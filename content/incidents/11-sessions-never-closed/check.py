"""Hidden tests: every request gives its connection back, whatever its outcome."""

import time

import pytest


def test_many_reads_in_a_row_all_answer(client):
    statuses = [client.get("/notes/1").status_code for _ in range(12)]
    assert statuses == [200] * 12, (
        f"Twelve reads of /notes/1 in a row answered {statuses}: the pool of 2 connections runs "
        "dry, so sessions are not giving their connections back"
    )


def test_a_note_is_read(client):
    assert client.get("/notes/2").json() == {"id": 2, "body": "call bob"}


def test_missing_notes_give_their_connection_back_too(client):
    for _ in range(6):
        assert client.get("/notes/99").status_code == 404
    statuses = [client.get("/notes/1").status_code for _ in range(4)]
    assert statuses == [200] * 4


def test_nothing_is_checked_out_between_requests(client):
    for _ in range(3):
        client.get("/notes/1")
    # Code after a dependency's `yield` runs once the response is on its way: give it a moment.
    status = ""
    for _ in range(40):
        status = client.get("/pool").json()["status"]
        if "Current Checked out connections: 0" in status:
            return
        time.sleep(0.05)
    pytest.fail(f"Connections are still checked out after the requests ended: {status}")
