"""Large imports as background tasks, with progress.

An app registers the kind of import it runs in the background (:func:`import_kind_register`):
a runner ``run(job, progress, before_commit) -> dict`` that reads ``job.content`` (the upload,
kept in ``core.BackgroundImport``), calls ``progress(rows, errors)`` as it goes, calls
``before_commit(result)`` inside the transaction that writes (so "done" commits with the rows),
and returns the result (plain JSON) when it wrote nothing. The page that took the upload shows
:func:`import_of` and polls until the status is done.

Restart: the worker's task (``core.tasks.import_run_task``) claims the row with a conditional
update; a row left ``running`` whose heartbeat stopped (the worker died) is taken again by
:func:`imports_resume` (called when ``sasom worker`` starts and when the page polls a stale row)
and checked from the start: nothing was written, since the write and "done" commit together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

logger = logging.getLogger("sasom.imports")

# No heartbeat for this long: the worker died. The write phase (one transaction, its heartbeat
# invisible until it commits) of the largest file allowed takes minutes, well within it.
STALE_AFTER = dt.timedelta(minutes=30)
PROGRESS_EVERY = dt.timedelta(seconds=1)

Progress = Callable[[int, int], None]
BeforeCommit = Callable[[dict[str, Any]], None]
Runner = Callable[[Any, Progress, BeforeCommit], dict[str, Any]]

_kinds: dict[str, Runner] = {}


def import_kind_register(kind: str, runner: Runner) -> None:
    _kinds[kind] = runner


def import_enqueue(*, organization_id: int, kind: str, content: bytes, filename: str, options: dict[str, Any],
                   actor: Any) -> Any:
    """Store the upload and queue its task; returns the ``BackgroundImport`` row."""
    # app loading order (apps.py modules import this before the models load); tasks imports this module
    from sasom.core.models import BackgroundImport
    from sasom.core.tasks import import_run_task

    job = BackgroundImport.objects.create(
        organization_id=organization_id, kind=kind, content=content, filename=filename[:200], options=options,
        language=translation.get_language() or "", actor=dataclasses.asdict(actor),
    )
    # queued once the row is committed, so the worker finds it
    transaction.on_commit(lambda: import_run_task.enqueue(job.pk))
    return job


def import_of(*, organization_id: int, import_id: int) -> Any:
    """The organization's import ``import_id`` (or None); a stale one is queued again."""
    # app loading order: apps.py modules import this before the models load
    from sasom.core.models import BackgroundImport

    job = BackgroundImport.objects.defer("content").filter(organization_id=organization_id, pk=import_id).first()
    if job is not None and _stale(job):
        imports_resume(ids=[job.pk])
        job.refresh_from_db()
    return job


def _stale(job: Any) -> bool:
    if job.status == "queued":
        return job.created_at < timezone.now() - STALE_AFTER
    return job.status == "running" and (job.heartbeat_at or job.created_at) < timezone.now() - STALE_AFTER


def imports_resume(*, ids: list[int] | None = None) -> int:
    """Queue again the imports a dead worker left (queued or running without a heartbeat)."""
    # app loading order (apps.py modules import this before the models load); tasks imports this module
    from sasom.core.models import BackgroundImport
    from sasom.core.tasks import import_run_task

    cutoff = timezone.now() - STALE_AFTER
    stale = BackgroundImport.objects.filter(
        Q(status="queued", created_at__lt=cutoff) | Q(status="running", heartbeat_at__lt=cutoff))
    if ids is not None:
        stale = stale.filter(pk__in=ids)
    found = list(stale.values_list("pk", flat=True))
    for pk in found:
        import_run_task.enqueue(pk)
    return len(found)


def import_run(import_id: int) -> str:
    """Run one import (the task's body): claim it, run its kind's runner, record the result."""
    # app loading order: apps.py modules import this before the models load
    from sasom.core.models import BackgroundImport

    now = timezone.now()
    claimable = Q(status="queued") | Q(status="running", heartbeat_at__lt=now - STALE_AFTER)
    row = BackgroundImport.objects.filter(pk=import_id).first()
    if row is None:
        return "missing"
    claimed = BackgroundImport.objects.filter(claimable, pk=import_id).update(
        status="running", heartbeat_at=now, attempts=row.attempts + 1, rows=0, errors=0)
    if not claimed:
        return row.status  # done, or running in a live worker
    job = BackgroundImport.objects.get(pk=import_id)
    last = [timezone.now()]

    def progress(rows: int, errors: int) -> None:
        if timezone.now() - last[0] >= PROGRESS_EVERY:
            last[0] = timezone.now()
            BackgroundImport.objects.filter(pk=import_id).update(rows=rows, errors=errors, heartbeat_at=last[0])

    def finish(result: dict[str, Any]) -> None:
        BackgroundImport.objects.filter(pk=import_id).update(
            status="done", result=result, rows=int(result.get("rows", 0)), errors=int(result.get("error_count", 0)),
            finished_at=timezone.now(), heartbeat_at=timezone.now())

    try:
        with translation.override(job.language or None):
            result = _kinds[job.kind](job, progress, finish)
    except Exception as exc:  # recorded for the page; the upload stays for a retry
        logger.exception("background import %s failed", import_id)
        BackgroundImport.objects.filter(pk=import_id).update(
            status="failed", error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
        return "failed"
    if BackgroundImport.objects.filter(pk=import_id, status="running").exists():
        finish(result)  # nothing was written (a check, or errors only): done now
    return "done"
