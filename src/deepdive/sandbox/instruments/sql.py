"""`sql`: what SQLAlchemy really did during each request.

For the learner's import (`setup`: creating tables, seeding rows) and for every request the
engine sent, the result lists in order the statements SQLAlchemy handed to the database driver,
each with its bound parameters (from the `before_cursor_execute` engine event; a statement the
database refused carries the driver's error, from `handle_error`), interleaved with the life of
each ORM session: opened, transaction begun, committed, rolled back, closed (session events,
plus a wrapper around `Session.__init__` and `Session.close`, since SQLAlchemy has no event for
those two). After each request the rows of every table of every engine the app used are read
back (up to `MAX_ROWS` per table), unless a session of that request is still open: reading
would then share, and reset, the connection that session holds, so `tables_note` says why
nothing was read.

Async sessions are covered too: an `AsyncSession` drives a plain `Session`, whose events fire.
"""

from __future__ import annotations

import weakref
from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.run_request import HttpRequest
from deepdive.sandbox.run_result import HttpResponse

# Limits that keep one run's data small enough to show.
MAX_EVENTS = 400
MAX_ROWS = 50
MAX_TABLES = 12
MAX_TEXT = 2000
MAX_PARAMS = 30
_NO_NETWORK = (
    "Code in the sandbox cannot reach the network, so no database server can be used here: "
    'use SQLite, in a file (`create_engine("sqlite:///shop.db")`) or in memory.'
)

EventKind = Literal["open", "begin", "sql", "commit", "rollback", "close"]


class SqlEvent(ResultShape):
    kind: EventKind
    session: int | None = Field(description="Which session (numbered from 1 in the run)")
    sql: str | None = Field(default=None, description="sql: the statement as sent")
    params: Any = Field(default=None, description="sql: its bound parameters")
    error: str | None = Field(default=None, description="sql: the database's refusal")


class TableRows(ResultShape):
    name: str
    columns: list[str]
    rows: list[list[Any]]
    total: int = Field(description="How many rows the table holds (more than shown if capped)")


class SqlCall(ResultShape):
    request: int | None = Field(description="Index of the request; None for the import")
    events: list[SqlEvent]
    statements: int = Field(description="How many statements were sent")
    unclosed: list[int] = Field(description="Sessions opened and not closed by the end")
    tables: list[TableRows] | None
    tables_note: str | None = None
    truncated: bool = False
    notes: list[str] = Field(
        default_factory=list, description="Sentences about what went wrong around the SQL"
    )


class SqlResult(ResultShape):
    setup: SqlCall
    requests: list[SqlCall]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return _json_value(str(value))


def _address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        return f"{address[0]}:{address[1]}"
    return str(address)


def _json_params(parameters: Any, depth: int = 0) -> Any:
    """Bound parameters as JSON; an `executemany` of many rows keeps its first `MAX_PARAMS`."""
    if depth > 2:
        return _json_value(parameters)
    if isinstance(parameters, dict):
        items = list(parameters.items())[:MAX_PARAMS]
        return {str(key): _json_params(value, depth + 1) for key, value in items}
    if isinstance(parameters, list | tuple):
        shown = [_json_params(p, depth + 1) for p in list(parameters)[:MAX_PARAMS]]
        if len(parameters) > MAX_PARAMS:
            shown.append(f"… {len(parameters) - MAX_PARAMS} more")
        return shown
    return _json_value(parameters)


@register
class Sql(Instrument):
    name = "sql"
    result_model = SqlResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._calls: dict[int | None, dict[str, Any]] = {}
        self._current: int | None = None
        self._sessions: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._open: dict[int, int | None] = {}  # session number -> request it was opened in
        self._engines: weakref.WeakSet[Any] = weakref.WeakSet()
        self._connections: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._reading = False
        self._opened = 0
        self._undo: list[Any] = []

    # -- hooks --------------------------------------------------------------------------------

    def before_import(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        from sqlalchemy.orm import Session

        listeners = [
            (Engine, "before_cursor_execute", self._on_execute),
            (Engine, "handle_error", self._on_error),
            (Session, "after_transaction_create", self._on_transaction),
            (Session, "after_begin", self._on_begin),
            (Session, "after_commit", self._on_commit),
            # The database's rollback, whoever asked for it: `session.rollback()`, or `close()`
            # ending a transaction that was never committed.
            (Engine, "rollback", self._on_rollback),
        ]
        for target, name, listener in listeners:
            event.listen(target, name, listener)
            self._undo.append(lambda t=target, n=name, f=listener: event.remove(t, n, f))

        original_init, original_close = Session.__init__, Session.close
        watcher = self

        def init_watched(session: Any, *args: Any, **kwargs: Any) -> None:
            original_init(session, *args, **kwargs)
            watcher._on_open(session)

        def close_watched(session: Any) -> None:
            try:
                original_close(session)
            finally:
                watcher._on_close(session)

        Session.__init__ = init_watched  # type: ignore[method-assign]
        Session.close = close_watched  # type: ignore[method-assign]

        def restore() -> None:
            Session.__init__ = original_init  # type: ignore[method-assign]
            Session.close = original_close  # type: ignore[method-assign]

        self._undo.append(restore)
        self._watch_network()

    def _watch_network(self) -> None:
        import socket

        original_connect = socket.socket.connect
        original_init = socket.socket.__init__
        original_lookup = socket.getaddrinfo
        watcher = self

        def connect_watched(sock: Any, address: Any) -> Any:
            try:
                return original_connect(sock, address)
            except OSError as problem:
                if sock.family in (socket.AF_INET, socket.AF_INET6):
                    watcher._note(
                        f"Your app tried to open a network connection to {_address(address)} "
                        f"and was refused ({problem.strerror or problem}). {_NO_NETWORK}"
                    )
                raise

        def init_watched(sock: Any, family: Any = -1, *args: Any, **kwargs: Any) -> None:
            try:
                original_init(sock, family, *args, **kwargs)
            except OSError as problem:
                if family in (socket.AF_INET, socket.AF_INET6):
                    watcher._note(
                        "Your app tried to open a network socket, which the sandbox refuses "
                        f"({problem.strerror or problem}). {_NO_NETWORK}"
                    )
                raise

        def lookup_watched(host: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original_lookup(host, *args, **kwargs)
            except OSError as problem:
                watcher._note(
                    f"Your app tried to look up the host {host!r} on the network, which failed "
                    f"({problem.strerror or problem}). {_NO_NETWORK}"
                )
                raise

        socket.socket.connect = connect_watched  # type: ignore[method-assign]
        socket.socket.__init__ = init_watched  # type: ignore[method-assign]
        socket.getaddrinfo = lookup_watched

        def restore() -> None:
            socket.socket.connect = original_connect  # type: ignore[method-assign]
            socket.socket.__init__ = original_init  # type: ignore[method-assign]
            socket.getaddrinfo = original_lookup

        self._undo.append(restore)

    def _note(self, text: str) -> None:
        notes = self._call(self._index())["notes"]
        if _NO_NETWORK in text and any(_NO_NETWORK in note for note in notes):
            return  # one failure seen at several layers (lookup, socket, driver) is told once
        if text not in notes and len(notes) < 10:
            notes.append(text)

    def before_request(self, index: int, request: HttpRequest) -> None:
        self._current = index
        self._call(index)

    def after_request(self, index: int, response: HttpResponse) -> None:
        call = self._call(index)
        unclosed = [number for number, opened in self._open.items() if opened == index]
        call["unclosed"] = unclosed
        if unclosed:
            call["tables"] = None
            call["tables_note"] = (
                f"Session {unclosed[0]} was never closed, so it still holds its connection: "
                "close every session (a `yield` dependency with `finally: session.close()`, "
                "or `with Session(engine) as session:`)."
            )
        else:
            call["tables"], call["tables_note"] = self._read_tables()
        self._current = None

    def result(self) -> Any:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        setup = self._call(None)
        setup["unclosed"] = [number for number, opened in self._open.items() if opened is None]
        if setup["unclosed"]:
            setup["tables"] = []
        elif setup["tables"] is None and setup["tables_note"] is None:
            setup["tables"], setup["tables_note"] = self._read_tables()
        requests = sorted(
            (call for key, call in self._calls.items() if key is not None),
            key=lambda call: call["request"],
        )
        return {"setup": setup, "requests": requests}

    # -- bookkeeping ----------------------------------------------------------------------------

    def _index(self) -> int | None:
        exchange = self.context.exchange()
        return exchange.index if exchange is not None else self._current

    def _call(self, index: int | None) -> dict[str, Any]:
        call = self._calls.get(index)
        if call is None:
            call = {
                "request": index,
                "events": [],
                "statements": 0,
                "unclosed": [],
                "tables": None,
                "tables_note": None,
                "truncated": False,
                "notes": [],
            }
            self._calls[index] = call
        return call

    def _record(self, kind: str, session: int | None, **details: Any) -> dict[str, Any] | None:
        call = self._call(self._index())
        if kind == "sql":
            call["statements"] += 1
        if len(call["events"]) >= MAX_EVENTS:
            call["truncated"] = True
            return None
        entry = {"kind": kind, "session": session, **details}
        call["events"].append(entry)
        return entry

    def _number(self, session: Any) -> int | None:
        return self._sessions.get(session)

    # -- listeners ------------------------------------------------------------------------------

    def _on_open(self, session: Any) -> None:
        self._opened += 1
        number = self._opened
        self._sessions[session] = number
        self._open[number] = self._index()
        self._record("open", number)

    def _on_close(self, session: Any) -> None:
        number = self._number(session)
        if number is not None and number in self._open:
            del self._open[number]
            self._record("close", number)

    def _on_transaction(self, session: Any, transaction: Any) -> None:
        if transaction.parent is None:  # the session's outermost transaction, not a savepoint
            self._record("begin", self._number(session))

    def _on_commit(self, session: Any) -> None:
        self._record("commit", self._number(session))

    def _on_rollback(self, conn: Any) -> None:
        if not self._reading:
            self._record("rollback", self._session_of(conn))

    def _on_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if self._reading:
            return
        self._engines.add(conn.engine)
        entry = self._record(
            "sql",
            self._session_of(conn),
            sql=_json_value(statement),
            params=_json_params(parameters),
        )
        if context is not None and entry is not None:
            context._deepdive_sql_entry = entry

    def _on_error(self, exception_context: Any) -> None:
        if self._reading:
            return
        entry = getattr(exception_context.execution_context, "_deepdive_sql_entry", None)
        original = exception_context.original_exception
        message = f"{type(original).__name__}: {original}"
        if not exception_context.statement:  # no statement: connecting itself failed
            self._note(
                f"SQLAlchemy could not connect to the database ({_json_value(message)}). "
                f"{_NO_NETWORK}"
            )
            return
        if entry is not None:
            entry["error"] = _json_value(message)
        else:
            self._record(
                "sql",
                None,
                sql=_json_value(exception_context.statement or ""),
                params=_json_params(exception_context.parameters),
                error=_json_value(message),
            )

    def _on_begin(self, session: Any, transaction: Any, connection: Any) -> None:
        number = self._number(session)
        if number is not None:
            self._connections[connection] = number

    def _session_of(self, connection: Any) -> int | None:
        return self._connections.get(connection)

    # -- reading the tables back ------------------------------------------------------------------

    def _read_tables(self) -> tuple[list[dict[str, Any]], str | None]:
        tables: list[dict[str, Any]] = []
        note = None
        self._reading = True
        try:
            for engine in list(self._engines):
                if getattr(engine.dialect, "is_async", False):
                    # An async driver's connections belong to the app's event loop.
                    note = "The tables of an async engine are not read back: the SQL above is all."
                    continue
                try:
                    tables.extend(_rows_of(engine))
                except Exception as problem:  # the app's own database: it may be in any state
                    note = (
                        "The tables could not be read back "
                        f"({type(problem).__name__}: {_json_value(str(problem))})."
                    )
        finally:
            self._reading = False
        return tables, note


def _rows_of(engine: Any) -> list[dict[str, Any]]:
    from sqlalchemy import MetaData, Table, func, inspect, select

    tables = []
    with engine.connect() as connection:
        for name in sorted(inspect(connection).get_table_names())[:MAX_TABLES]:
            table = Table(name, MetaData(), autoload_with=connection)
            total = connection.execute(select(func.count()).select_from(table)).scalar_one()
            result = connection.execute(select(table).limit(MAX_ROWS))
            tables.append(
                {
                    "name": name,
                    "columns": list(result.keys()),
                    "rows": [[_json_value(v) for v in row] for row in result],
                    "total": total,
                }
            )
    return tables
