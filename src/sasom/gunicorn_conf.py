"""gunicorn settings that ``sasom serve`` loads (``--config python:sasom.gunicorn_conf``) beside
its command-line options. Anyone running gunicorn by hand should pass the same ``--config``."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker, once it has loaded the application: its long-lived objects out of the garbage
    collector's full passes (``sasom.core.heap``)."""
    from sasom.core.heap import heap_settle  # Django is set up only once the worker loaded the app

    heap_settle()
