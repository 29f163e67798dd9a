"""Background work of the integrations app (run by ``sasom worker``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from sasom.core.audit import Actor
from sasom.integrations.batch import batch_calculate, batch_stage
from sasom.integrations.models import SaleBatch


def batch_file_path(batch: SaleBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "batches" / f"{batch.organization_id}-{batch.pk}.{batch.format}"


@task()
def batch_stage_task(batch_id: int, calculate: bool = False, actor_label: str = "batch") -> None:
    batch = SaleBatch.objects.get(pk=batch_id)
    path = batch_file_path(batch)
    with path.open("rb") as raw:
        batch = batch_stage(batch=batch, raw=raw)
    if calculate and batch.status == SaleBatch.Status.PARSED:
        batch_calculate(batch_id=batch.pk, actor=Actor.system(actor_label))


@task()
def batch_calculate_task(batch_id: int, actor_label: str = "batch") -> None:
    batch_calculate(batch_id=batch_id, actor=Actor.system(actor_label))
