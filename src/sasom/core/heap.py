"""A server worker's long-lived objects kept out of the garbage collector's full passes.

A gunicorn worker holds a few hundred thousand objects that live as long as it does: Django,
every app's modules, the API's schemas, the URL conf. CPython's cyclic collector walks all of
them at each full (generation 2) collection, and under a till's steady load a worker ran one or
two of those every 15-20 seconds, each about 170-190 ms of CPU with the worker's GIL held: every
request in that worker's threads waited for it. Freezing what is alive once the application is
loaded moves those objects out of the collector's sight (they are never garbage), so a full pass
walks only what requests made (about 10 ms). Measured in docs/performance.md ("The collector's
full passes"); gunicorn calls this in each worker (``sasom.gunicorn_conf``)."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def heap_settle() -> None:
    """Import what the first request would (the URL conf: every app's views and the API with its
    schemas), collect once, then freeze every object alive. Objects made later are collected as
    before; a frozen object still goes when its last reference does (reference counting), only
    cycles among frozen objects would stay, and those are the process's own modules."""
    get_resolver().url_patterns  # noqa: B018  (the property imports the URL conf)
    gc.collect()
    gc.freeze()
