"""Gunicorn settings for the Bookstore image: `gunicorn -c python:bookstore.deploy.gunicorn_conf`.

Environment: WEB_CONCURRENCY (workers; default 2 × cores + 1), PORT (default 8000).
"""

from __future__ import annotations

import os


def _default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())
worker_class = "uvicorn_worker.UvicornWorker"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Give in-flight requests time to finish on a rolling restart.
graceful_timeout = 20
timeout = 60
# The app writes its own JSON access log, one line per request.
accesslog = None
