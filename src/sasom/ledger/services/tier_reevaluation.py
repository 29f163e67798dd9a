""""Re-evaluate all members now" as a background job (docs/tiers.md, "Re-evaluation").

- :func:`tier_reevaluation_preview`: the moves it would make (counts per move and a sample of
  members), computed without writing, with the same decisions as the run.
- :func:`tier_reevaluation_start`: queues the run (a ``tiers.Reevaluation`` row and its task) and
  audits it. Asked twice (a double click, a retried API call) while one is queued or running, it
  answers that one: one run at a time per organization (a unique key holds it).
- :func:`tier_reevaluation_run`, the worker's body: claims the row with a conditional update, then
  decides and writes one chunk of members per transaction, committing the chunk's progress (the
  last member decided, the counts) with its changes. A worker that dies leaves a row whose
  heartbeat stops; :func:`tier_reevaluation_of` (the progress page's and the API's poll) queues it
  again, and the new run goes on after the last committed chunk, with the window of the first
  (``as_of``). Each change carries the run key ``reevaluation:<id>``: a member is moved once per run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.ledger.services.tiering import (
    reevaluation_apply,
    reevaluation_decide,
    reevaluation_pages,
)
from sasom.members.models import Member
from sasom.tiers.errors import NO_LADDER
from sasom.tiers.models import Reevaluation
from sasom.tiers.selectors import ladder_compile

logger = logging.getLogger("sasom.tiers")

STALE_AFTER = dt.timedelta(minutes=10)  # a chunk takes seconds; no heartbeat for this long: the worker died
SAMPLE = 20


@dataclass(frozen=True)
class SampleMove:
    member_code: str
    member_name: str
    from_tier: str | None
    to_tier: str | None
    measure: int


@dataclass(frozen=True)
class Preview:
    moves: dict[str, int]
    sample: list[SampleMove]
    members: int  # members looked at
    as_of: dt.datetime


def tier_reevaluation_preview(*, organization_id: int, now: dt.datetime | None = None,
                              sample: int = SAMPLE) -> Preview:
    """What the run would do now: counts per move ("GOLD→BASIC": n, "-" no tier) and the first
    ``sample`` members who would move. Reads only (two grouped queries per chunk of members)."""
    ladder = ladder_compile(organization_id)
    if ladder is None:
        raise DomainError(NO_LADDER, "This organization has no tier ladder.", field="ladder")
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    picked: list[tuple[int, Any]] = []
    members = 0
    for page in reevaluation_pages(organization_id):
        members += len(page)
        decided = reevaluation_decide(organization_id=organization_id, ladder=ladder, member_ids=page, now=now,
                                      lock=False)
        counts.update(d.key for d in decided)
        picked.extend((d.member_id, d) for d in decided[:max(0, sample - len(picked))])
    names = {m.pk: m for m in Member.objects.filter(organization_id=organization_id, pk__in=[p for p, _d in picked])}
    rows = [SampleMove(member_code=names[p].code, member_name=str(names[p]), measure=d.measure,
                       from_tier=d.row.tier.code if d.row is not None and d.row.tier is not None else None,
                       to_tier=d.move.to.code if d.move.to else None) for p, d in picked]
    return Preview(moves=dict(sorted(counts.items())), sample=rows, members=members, as_of=now)


def _active(organization_id: int) -> Reevaluation | None:
    return Reevaluation.objects.filter(organization_id=organization_id,
                                       status__in=[Reevaluation.Status.QUEUED, Reevaluation.Status.RUNNING]).first()


def tier_reevaluation_start(*, organization_id: int, actor: Actor, now: dt.datetime | None = None
                            ) -> tuple[Reevaluation, bool]:
    """Queue the run (the window counted back from ``now``). Returns (the run, whether it was
    queued now); while one is queued or running, that one and False."""
    if ladder_compile(organization_id) is None:
        raise DomainError(NO_LADDER, "This organization has no tier ladder.", field="ladder")
    found = _active(organization_id)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            job = Reevaluation.objects.create(
                organization_id=organization_id, as_of=now or timezone.now(), actor=dataclasses.asdict(actor),
                members_total=Member.objects.filter(organization_id=organization_id).count())
            audit_record(organization_id=organization_id, actor=actor, action="tiers.reevaluation_start", obj=job,
                         object_repr=f"re-evaluation {job.pk}", changes={"as_of": [None, str(job.as_of)]})
            # queued once the row is committed, so the worker finds it
            transaction.on_commit(lambda: tier_reevaluation_task.enqueue(job.pk))
    except IntegrityError:  # another click won the race for the one active run
        found = _active(organization_id)
        if found is None:
            raise
        return found, False
    return job, True


def _stale(job: Reevaluation) -> bool:
    last = job.heartbeat_at or job.created_at
    return job.status in (Reevaluation.Status.QUEUED, Reevaluation.Status.RUNNING) and last < timezone.now() - STALE_AFTER


def tier_reevaluation_of(*, organization_id: int, reevaluation_id: int) -> Reevaluation | None:
    """The organization's run (None: not found); one whose worker died is queued again."""
    job = Reevaluation.objects.filter(organization_id=organization_id, pk=reevaluation_id).first()
    if job is not None and _stale(job):
        # queued again once: the next polls see a fresh heartbeat and queue nothing more
        requeued = Reevaluation.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=Reevaluation.Status.QUEUED, heartbeat_at=timezone.now())
        if requeued:
            logger.warning("tier re-evaluation %s stalled: queued again", job.pk)
            tier_reevaluation_task.enqueue(job.pk)
            job.refresh_from_db()
    return job


def tier_reevaluation_run(reevaluation_id: int) -> str:
    """Run (or go on with) one re-evaluation; returns its status."""
    now = timezone.now()
    claimable = Q(status=Reevaluation.Status.QUEUED) | Q(status=Reevaluation.Status.RUNNING,
                                                         heartbeat_at__lt=now - STALE_AFTER)
    claimed = Reevaluation.objects.filter(claimable, pk=reevaluation_id).update(
        status=Reevaluation.Status.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1)
    job = Reevaluation.objects.filter(pk=reevaluation_id).first()
    if job is None:
        return "missing"
    if not claimed:
        return job.status  # done, or running in a live worker
    try:
        _run(job)
    except Exception as exc:  # recorded for the page; the chunks written stay (each was complete)
        logger.exception("tier re-evaluation %s failed", reevaluation_id)
        Reevaluation.objects.filter(pk=reevaluation_id).update(
            status=Reevaluation.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
        return "failed"
    return "done"


def _run(job: Reevaluation) -> None:
    org = job.organization_id
    actor = Actor(**job.actor)
    ladder = ladder_compile(org)
    run_key = f"reevaluation:{job.pk}"
    if ladder is not None:
        for page in reevaluation_pages(org, after=job.cursor):
            with transaction.atomic():
                current = Reevaluation.objects.select_for_update().get(pk=job.pk)
                if current.cursor >= page[-1]:
                    continue  # another worker took this chunk over (it was thought dead)
                decided = reevaluation_decide(organization_id=org, ladder=ladder, member_ids=page, now=job.as_of,
                                              lock=True)
                reevaluation_apply(organization_id=org, ladder=ladder, decided=decided, now=job.as_of, actor=actor,
                                   run_key=run_key)
                moves = Counter(current.moves)
                moves.update(d.key for d in decided)
                Reevaluation.objects.filter(pk=job.pk).update(
                    cursor=page[-1], members_done=F("members_done") + len(page), moves=dict(sorted(moves.items())),
                    heartbeat_at=timezone.now())
    with transaction.atomic():
        done = Reevaluation.objects.select_for_update().get(pk=job.pk)
        Reevaluation.objects.filter(pk=job.pk).update(status=Reevaluation.Status.DONE, finished_at=timezone.now(),
                                                      heartbeat_at=timezone.now())
        audit_record(organization_id=org, actor=Actor.system("tiers"), action="tiers.reevaluation_done", obj=done,
                     object_repr=f"re-evaluation {job.pk}", changes={"moves": [None, done.moves]})


@task()
def tier_reevaluation_task(reevaluation_id: int) -> str:
    return tier_reevaluation_run(reevaluation_id)
