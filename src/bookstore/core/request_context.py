"""The id of the request being handled, readable from anywhere (logs, error responses).

A context variable rather than a global: concurrent requests each see their own value, and
sync routes running in the thread pool inherit it.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("bookstore_request_id", default=None)
