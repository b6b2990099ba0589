"""Gunicorn settings for hosted mode, the plain-Gunicorn twin of `deepdive serve --hosted`:

    WEB_CONCURRENCY=4 gunicorn -c python:deepdive.gunicorn_conf

Environment: the `DEEPDIVE_*` settings (DEEPDIVE_SECRET_KEY, DEEPDIVE_DATABASE_URL,
DEEPDIVE_REDIS_URL and DEEPDIVE_RUNNER_URL at least; DEEPDIVE_HOST and DEEPDIVE_PORT for the
address), WEB_CONCURRENCY for the number of workers (default 2). The master checks PostgreSQL
and Redis and migrates the database once, in `on_starting`, before any worker is forked.
"""

from __future__ import annotations

import os
import sys

from deepdive.hosted import HostedConfigError, gunicorn_options, hosted_settings, prepare_hosted

try:
    _settings = hosted_settings()
except HostedConfigError as problem:
    sys.exit(f"FastAPI Deep Dive cannot start in hosted mode:\n{problem}")

_options = gunicorn_options(_settings, int(os.environ.get("WEB_CONCURRENCY") or 2))
bind = _options["bind"]
workers = _options["workers"]
worker_class = _options["worker_class"]
graceful_timeout = _options["graceful_timeout"]
timeout = _options["timeout"]
accesslog = _options["accesslog"]
errorlog = _options["errorlog"]
loglevel = _options["loglevel"]
proc_name = _options["proc_name"]
control_socket_disable = _options["control_socket_disable"]
wsgi_app = "deepdive.hosted:app_from_environment()"


def on_starting(_server: object) -> None:
    try:
        prepare_hosted()
    except HostedConfigError as problem:
        sys.exit(f"FastAPI Deep Dive cannot start in hosted mode:\n{problem}")
