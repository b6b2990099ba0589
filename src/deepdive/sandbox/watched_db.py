"""A watched database: the learner's SQLite statements counted where their code cannot reach.

A check about the SQL an app sends (the N+1 task of the databases lesson: "list the authors and
their books in two statements") must not take the count from the app's own process: anything
there (an engine-event listener, a counter, a list of statements, SQLAlchemy's event dispatch,
`len`, the pipe or channel a result travels on) can be rewritten by the code it judges.

So the database itself moves out of the learner's process. In a graded run with
`watched_database`, the runner makes one more socket pair besides the HTTP connections: one end
goes to the sandbox that serves the learner's app, the other to the sandbox that runs the check.

* **The app's side** (`install`, in the serving sandbox, before the learner's module is
  imported): `sqlite3.connect` returns a `RemoteConnection`, a DB-API connection whose cursor
  sends each statement and its parameters over that socket and gets the rows back. SQLAlchemy's
  `sqlite` dialect uses it unchanged (`create_engine("sqlite://")`). This part is untrusted like
  everything else in that process: the learner may unpatch it, fake it or bypass it, which only
  means the check's database never hears from their app.
* **The check's side** (`WatchedDatabase`, in the grading sandbox, which never runs learner
  code): one real in-memory SQLite database, served on a thread. Every statement the app sends
  is executed and counted here, in order; the check reads the count from this object only. The
  check can also run statements of its own (uncounted), to add rows the app has never seen.

Why the count cannot be forged: a statement the app does not send is not executed, so its rows
never reach the app. The check adds an author with books the app cannot know in advance (a
random name) *after* marking the count, then asks `GET /authors`: the answer must contain that
author's books, which the app can only learn from this database, by statements sent after the
mark, which are all counted (whichever thread sends them, whether or not the app's listener
sees them). Keeping a private database, caching earlier answers or polling in the background
gives a stale answer or more statements, never a smaller count. Rows travel back with the
`execute` reply (fetched here at once), so no read can start before the mark and finish after.

What the learner's SQL can do here: run against this in-memory database only. An authorizer
refuses `ATTACH`/`DETACH` (and so `VACUUM INTO`), which would reach files; a progress handler
stops a statement that runs past its time; values and frames have size limits; extensions
cannot be loaded. Errors go back as the `sqlite3` exception the real driver would raise
(`IntegrityError` stays an `IntegrityError`), so the app behaves as it does on a local SQLite.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import sqlite3
import sqlite3.dbapi2
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

_FRAME = struct.Struct("!I")
MAX_FRAME = 8 * 1024 * 1024
# Statements whose text is kept (the count itself is exact however many there are).
_KEPT_STATEMENTS = 500
_STATEMENT_SECONDS = 5.0
_MAX_VALUE_BYTES = 1024 * 1024
_REFUSED = {sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH}
_ERRORS = {
    name: getattr(sqlite3, name)
    for name in (
        "IntegrityError",
        "OperationalError",
        "ProgrammingError",
        "DataError",
        "NotSupportedError",
        "InterfaceError",
        "InternalError",
        "DatabaseError",
    )
}


class ProtocolError(Exception):
    """The other side sent something that is not a frame of this protocol."""


# -- frames ----------------------------------------------------------------------------------


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME:
        raise ProtocolError(f"a message of {len(data)} bytes is larger than the limit")
    sock.sendall(_FRAME.pack(len(data)) + data)


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _receive(sock: socket.socket) -> dict[str, Any] | None:
    header = _receive_exactly(sock, _FRAME.size)
    if header is None:
        return None
    (size,) = _FRAME.unpack(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"a message of {size} bytes is larger than the limit")
    data = _receive_exactly(sock, size)
    if data is None:
        return None
    try:
        message = json.loads(data)
    except ValueError:
        raise ProtocolError("a message is not JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message is not an object")
    return message


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        data = value.get("b")
        if not isinstance(data, str) or len(data) > _MAX_VALUE_BYTES * 2:
            raise ProtocolError("a value is neither a number, a string, bytes nor null")
        return base64.b64decode(data)
    if value is None or isinstance(value, int | float | str):
        if isinstance(value, str) and len(value) > _MAX_VALUE_BYTES:
            raise ProtocolError("a value is larger than the limit")
        return value
    raise ProtocolError("a value is neither a number, a string, bytes nor null")


def _parameters(raw: Any) -> Sequence[Any] | dict[str, Any]:
    if isinstance(raw, list):
        return [_decode(value) for value in raw]
    if isinstance(raw, dict):
        return {str(key): _decode(value) for key, value in raw.items()}
    raise ProtocolError("parameters are neither a list nor an object")


# -- the check's side ------------------------------------------------------------------------


class WatchedDatabase:
    """A SQLite database served to the app over `sock`, counting every statement it runs."""

    def __init__(self, sock: socket.socket, *, statement_seconds: float = _STATEMENT_SECONDS):
        self._sock = sock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.set_authorizer(self._authorize)
        self._db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _MAX_VALUE_BYTES)
        self._db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        self._statement_seconds = statement_seconds
        self._deadline = 0.0
        self._db.set_progress_handler(self._too_long, 10_000)
        self._count = 0
        self._kept: list[str] = []
        self.failure: str | None = None
        self._thread = threading.Thread(target=self._serve, name="watched-db", daemon=True)
        self._thread.start()

    # What the check reads ---------------------------------------------------------------------

    def mark(self) -> int:
        """The number of statements the app has sent so far."""
        with self._lock:
            return self._count

    def statements_since(self, mark: int) -> list[str]:
        """Every statement the app sent after `mark` (texts beyond the first few hundred are
        not kept: their number still counts, as "…")."""
        with self._lock:
            kept = self._kept[mark:]
            return kept + ["…"] * (self._count - max(mark, len(self._kept)))

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int | None:
        """Run one statement of the check's own (not counted) and commit; its `lastrowid`."""
        with self._lock:
            self._deadline = time.monotonic() + self._statement_seconds
            cursor = self._db.execute(sql, parameters)
            self._db.commit()
            return cursor.lastrowid

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=2)

    # Serving the app -------------------------------------------------------------------------

    def _authorize(self, action: int, *_: Any) -> int:
        return sqlite3.SQLITE_DENY if action in _REFUSED else sqlite3.SQLITE_OK

    def _too_long(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    def _serve(self) -> None:
        try:
            while True:
                message = _receive(self._sock)
                if message is None:
                    return
                _send(self._sock, self._answer(message))
        except (OSError, ProtocolError) as problem:
            self.failure = str(problem)

    def _answer(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        try:
            with self._lock:
                if op in ("execute", "executemany"):
                    return self._statement(op, message)
                if op == "commit":
                    self._db.commit()
                elif op == "rollback":
                    self._db.rollback()
                elif op not in ("connect", "close"):
                    raise ProtocolError(f"unknown operation {op!r}")
                return {}
        except sqlite3.Error as error:
            return {"error": [type(error).__name__, str(error)]}
        except (OverflowError, ValueError, TypeError, MemoryError) as error:
            return {"error": ["DataError", f"{type(error).__name__}: {error}"]}

    def _statement(self, op: str, message: dict[str, Any]) -> dict[str, Any]:
        sql = message.get("sql")
        if not isinstance(sql, str) or len(sql) > _MAX_VALUE_BYTES:
            raise ProtocolError("a statement is not a string")
        raw = message.get("params", [])
        # Counted before it runs: a statement that fails reached the database all the same.
        self._count += 1
        if len(self._kept) < _KEPT_STATEMENTS:
            self._kept.append(sql)
        self._deadline = time.monotonic() + self._statement_seconds
        if op == "executemany":
            if not isinstance(raw, list):
                raise ProtocolError("executemany needs a list of parameter sets")
            cursor = self._db.executemany(sql, [_parameters(row) for row in raw])
        else:
            cursor = self._db.execute(sql, _parameters(raw))
        rows = [[_encode(value) for value in row] for row in cursor.fetchall()]
        description = (
            [[column[0], None, None, None, None, None, None] for column in cursor.description]
            if cursor.description
            else None
        )
        return {
            "rows": rows,
            "description": description,
            "rowcount": cursor.rowcount,
            "lastrowid": cursor.lastrowid,
        }


# -- the app's side --------------------------------------------------------------------------


class _Link:
    """The app's end of the socket, shared by every connection the app opens (one at a time)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                _send(self._sock, message)
                answer = _receive(self._sock)
            except (OSError, ProtocolError) as problem:
                raise sqlite3.OperationalError(f"the database went away: {problem}") from None
        if answer is None:
            raise sqlite3.OperationalError("the database went away")
        error = answer.get("error")
        if error:
            raise _ERRORS.get(str(error[0]), sqlite3.DatabaseError)(str(error[1]))
        return answer


class RemoteCursor:
    """A DB-API cursor whose statements run in the watched database."""

    arraysize = 1

    def __init__(self, connection: RemoteConnection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: Iterator[tuple[Any, ...]] = iter(())

    def _run(self, message: dict[str, Any]) -> RemoteCursor:
        answer = self.connection.link.ask(message)
        description = answer.get("description")
        self.description = [tuple(column) for column in description] if description else None
        self.rowcount = answer.get("rowcount", -1)
        self.lastrowid = answer.get("lastrowid")
        self._rows = iter([tuple(_decode(value) for value in row) for row in answer["rows"]])
        return self

    def execute(self, sql: str, parameters: Any = ()) -> RemoteCursor:
        params = dict(parameters) if isinstance(parameters, dict) else list(parameters)
        encoded = (
            {key: _encode(value) for key, value in params.items()}
            if isinstance(params, dict)
            else [_encode(value) for value in params]
        )
        return self._run({"op": "execute", "sql": sql, "params": encoded})

    def executemany(self, sql: str, rows: Any) -> RemoteCursor:
        encoded = [
            {k: _encode(v) for k, v in row.items()}
            if isinstance(row, dict)
            else [_encode(v) for v in row]
            for row in rows
        ]
        return self._run({"op": "executemany", "sql": sql, "params": encoded})

    def fetchone(self) -> tuple[Any, ...] | None:
        return next(self._rows, None)

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        count = size or self.arraysize
        return [row for _, row in zip(range(count), self._rows, strict=False)]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self._rows

    def close(self) -> None:
        self._rows = iter(())

    def setinputsizes(self, *_: Any) -> None:
        return None

    def setoutputsize(self, *_: Any) -> None:
        return None


class RemoteConnection:
    """A DB-API connection to the watched database, shaped like `sqlite3.Connection`."""

    def __init__(self, link: _Link) -> None:
        self.link = link
        self.isolation_level: str | None = ""
        self.link.ask({"op": "connect"})

    def cursor(self) -> RemoteCursor:
        return RemoteCursor(self)

    def execute(self, sql: str, parameters: Any = ()) -> RemoteCursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> RemoteCursor:
        return self.cursor().executemany(sql, rows)

    def commit(self) -> None:
        self.link.ask({"op": "commit"})

    def rollback(self) -> None:
        self.link.ask({"op": "rollback"})

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.link.ask({"op": "close"})

    def create_function(self, *_: Any, **__: Any) -> None:
        """Functions in Python cannot run in the watched database; SQLAlchemy's own
        (`regexp`, `floor`) are only registered, never needed by the lesson's queries."""

    def __enter__(self) -> RemoteConnection:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()


def install(sock: socket.socket) -> None:
    """Make every `sqlite3.connect(...)` of this process reach the watched database."""
    link = _Link(sock)

    def connect(*_: Any, **__: Any) -> RemoteConnection:
        return RemoteConnection(link)

    # SQLAlchemy's dialect connects through `sqlite3.dbapi2`, the module `sqlite3` re-exports.
    sqlite3.connect = connect  # type: ignore[assignment]
    sqlite3.dbapi2.connect = connect  # type: ignore[assignment]
