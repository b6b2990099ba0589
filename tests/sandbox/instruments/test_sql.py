"""The `sql` instrument records what SQLAlchemy really did, request by request, in the sandbox."""

from __future__ import annotations

from pathlib import Path

from deepdive.sandbox import HttpRequest, RunRequest

EXAMPLES = Path(__file__).resolve().parents[3] / "content/lessons/08-databases/examples"
SHOP = (EXAMPLES / "bookshop_db.py").read_text(encoding="utf-8")


def _sql(run_in_sandbox, code: str, *requests: HttpRequest) -> dict:
    result = run_in_sandbox(RunRequest(code=code, requests=list(requests), instruments=["sql"]))
    data = result.instrumentation["sql"]
    assert "error" not in data, data
    return data


def _kinds(call: dict) -> list[str]:
    return [event["kind"] for event in call["events"]]


def _rows(call: dict, table: str) -> list[list]:
    return next(t["rows"] for t in call["tables"] if t["name"] == table)


def test_a_create_is_an_insert_with_its_parameters_committed_in_its_own_session(run_in_sandbox):
    book = {"title": "Bloodchild", "isbn": "9781583226902", "author_id": 2}
    data = _sql(run_in_sandbox, SHOP, HttpRequest(method="POST", path="/books", json_body=book))
    assert data["setup"]["statements"] > 0  # CREATE TABLE and the seed rows
    (call,) = data["requests"]
    assert _kinds(call) == ["open", "begin", "sql", "commit", "begin", "sql", "rollback", "close"]
    insert = call["events"][2]
    assert insert["sql"].startswith("INSERT INTO books")
    assert insert["params"] == ["Bloodchild", "9781583226902", 2]
    assert {event["session"] for event in call["events"]} == {call["events"][0]["session"]}
    assert call["statements"] == 2
    assert [4, "Bloodchild", "9781583226902", 2] in _rows(call, "books")


def test_a_raise_mid_transaction_is_rolled_back_and_the_session_closed(run_in_sandbox):
    data = _sql(run_in_sandbox, SHOP, HttpRequest(method="POST", path="/authors/1/retire"))
    (call,) = data["requests"]
    assert _kinds(call)[-2:] == ["rollback", "close"]
    assert any(e["kind"] == "sql" and e["sql"].startswith("DELETE") for e in call["events"])
    assert len(_rows(call, "books")) == 3
    assert call["unclosed"] == []


def test_each_author_loads_its_books_separately_in_the_starter(run_in_sandbox):
    data = _sql(run_in_sandbox, SHOP, HttpRequest(path="/authors"))
    assert data["requests"][0]["statements"] == 4


def test_a_refused_statement_carries_the_database_error(run_in_sandbox):
    taken = {"title": "Copy", "isbn": "9780807083697", "author_id": 1}
    data = _sql(run_in_sandbox, SHOP, HttpRequest(method="POST", path="/books", json_body=taken))
    failed = [e for e in data["requests"][0]["events"] if e.get("error")]
    assert len(failed) == 1
    assert "UNIQUE constraint failed: books.isbn" in failed[0]["error"]


def test_a_session_never_closed_is_reported_and_its_connection_left_alone(run_in_sandbox):
    code = SHOP.replace("    finally:\n        session.close()\n", "    finally:\n        pass\n")
    assert code != SHOP
    data = _sql(run_in_sandbox, code, HttpRequest(path="/books"), HttpRequest(path="/books/1"))
    first, second = data["requests"]
    assert len(first["unclosed"]) == 1
    assert len(second["unclosed"]) == 1
    assert first["unclosed"] != second["unclosed"]
    assert first["tables"] is None
    assert "never closed" in first["tables_note"]
    assert "close" not in _kinds(first)


def test_an_async_session_is_followed_too(run_in_sandbox):
    code = (EXAMPLES / "async_sessions.py").read_text(encoding="utf-8")
    data = _sql(
        run_in_sandbox,
        code,
        HttpRequest(method="POST", path="/books", json_body={"title": "Kindred"}),
    )
    (call,) = data["requests"]
    assert _kinds(call) == ["open", "begin", "sql", "commit", "close"]
    assert call["events"][2]["params"] == ["Kindred"]
    assert "async engine" in call["tables_note"]


def test_a_database_on_the_network_is_explained(run_in_sandbox):
    code = (
        "from fastapi import FastAPI\n"
        "from sqlalchemy import create_engine, text\n"
        'engine = create_engine("postgresql+psycopg://shop@db.example.com/shop")\n'
        "app = FastAPI()\n\n"
        '@app.get("/books")\n'
        "def books():\n"
        "    with engine.connect() as connection:\n"
        '        return connection.execute(text("SELECT 1")).all()\n'
    )
    data = _sql(run_in_sandbox, code, HttpRequest(path="/books"))
    (call,) = data["requests"]
    assert call["events"] == []
    (note,) = call["notes"]
    assert "db.example.com" in note
    assert "cannot reach the network" in note


def test_a_large_table_and_a_many_row_insert_are_shown_in_part(run_in_sandbox):
    code = SHOP.replace(
        "    seed.commit()\n",
        "    seed.add_all(\n"
        '        [Book(title=f"Volume {n}", isbn=f"97800000{n:05}", author_id=1)\n'
        "         for n in range(200)]\n"
        "    )\n"
        "    seed.commit()\n",
    )
    assert code != SHOP
    data = _sql(run_in_sandbox, code, HttpRequest(path="/books/1"))
    setup = data["setup"]
    many = [e for e in setup["events"] if e["kind"] == "sql" and "Volume 0" in str(e["params"])]
    assert many
    assert len(many[0]["params"]) <= 31
    books = next(t for t in data["requests"][0]["tables"] if t["name"] == "books")
    assert books["total"] == 203
    assert len(books["rows"]) == 50
