""""Re-evaluate all members now" in the worker: the preview is what the run does, a run asked for
twice is one run, a run whose worker died goes on where it stopped and moves nobody twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sasom.core.models import AuditEvent
from sasom.ledger.services import tier_reevaluation as job_module
from sasom.ledger.services.tier_reevaluation import (
    tier_reevaluation_of,
    tier_reevaluation_preview,
    tier_reevaluation_run,
    tier_reevaluation_start,
)
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, Reevaluation, TierChange
from sasom.tiers.services import TierIn

from .conftest import at

pytestmark = pytest.mark.django_db

LOWER = [TierIn("BASIC", "Basic", 400), TierIn("GOLD", "Gold", 800), TierIn("PLAT", "Platinum", 1500)]


def _tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row is not None and row.tier is not None else None


@pytest.fixture
def five_members(ladder, sell, org, member_type):
    # given five members earning 800, 1,500, 450, 100 and 2,500 under Basic 500 / Gold 1,000 / Platinum 2,000
    ladder(window_months=12)
    members = [MemberFactory(organization=org, member_type=member_type, code=f"M{i}", phone=f"+6681234560{i}")
               for i in range(5)]
    for m, amount in zip(members, (800, 1500, 450, 100, 2500), strict=True):
        sell(m, amount, when=at(2026, 1, 10))
    # and the ladder then lowered (applies from the next earning on)
    ladder(window_months=12, tiers=LOWER)
    return members


def test_the_run_does_what_the_preview_showed(five_members, org, actor, django_capture_on_commit_callbacks):
    now = at(2026, 2, 1)
    # when previewed: counts per move, a sample, nothing written
    preview = tier_reevaluation_preview(organization_id=org.pk, now=now)
    assert preview.moves == {"-→BASIC": 1, "BASIC→GOLD": 1, "GOLD→PLAT": 1}
    assert preview.members == 5
    assert sorted((s.member_code, s.from_tier, s.to_tier, s.measure) for s in preview.sample) == [
        ("M0", "BASIC", "GOLD", 800), ("M1", "GOLD", "PLAT", 1500), ("M2", None, "BASIC", 450)]
    assert not TierChange.objects.filter(reason="reevaluation").exists()
    # and run in the worker
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job, created = tier_reevaluation_start(organization_id=org.pk, actor=actor, now=now)
    assert created and len(queued) == 1 and job.status == "queued"
    assert tier_reevaluation_run(job.pk) == "done"
    # then it moved what the preview counted, with reason re-evaluation and the run's key
    job.refresh_from_db()
    assert (job.status, job.moves, job.members_done, job.members_total) == ("done", preview.moves, 5, 5)
    assert [_tier(m) for m in five_members] == ["GOLD", "PLAT", "BASIC", None, "PLAT"]
    changes = TierChange.objects.filter(reason="reevaluation")
    assert {c.run_key for c in changes} == {f"reevaluation:{job.pk}"} and changes.count() == 3
    assert {c.measure for c in changes} == {800, 1500, 450}
    # audited: who asked, and what it did
    actions = list(AuditEvent.objects.filter(action__startswith="tiers.reevaluation").values_list("action", flat=True))
    assert sorted(actions) == ["tiers.reevaluation_done", "tiers.reevaluation_start"]
    # and running the task again (a duplicate delivery) does nothing
    assert tier_reevaluation_run(job.pk) == "done"
    assert TierChange.objects.filter(reason="reevaluation").count() == 3


def test_asked_twice_is_one_run_and_a_new_one_once_it_is_done(five_members, org, actor):
    first, created = tier_reevaluation_start(organization_id=org.pk, actor=actor)
    second, again = tier_reevaluation_start(organization_id=org.pk, actor=actor)
    assert (created, again, second.pk) == (True, False, first.pk)
    assert Reevaluation.objects.count() == 1
    tier_reevaluation_run(first.pk)
    third, created = tier_reevaluation_start(organization_id=org.pk, actor=actor)
    assert created and third.pk != first.pk


def test_a_run_whose_worker_died_goes_on_after_the_last_chunk(five_members, org, actor, monkeypatch):
    # given chunks of two members, and a worker that dies while writing the third chunk
    monkeypatch.setattr("sasom.ledger.services.tiering.CHUNK", 2)
    job, _created = tier_reevaluation_start(organization_id=org.pk, actor=actor, now=at(2026, 2, 1))
    real_apply = job_module.reevaluation_apply
    calls = {"n": 0}

    def dying_apply(**kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real_apply(**kw)

    monkeypatch.setattr(job_module, "reevaluation_apply", dying_apply)
    with pytest.raises(SystemExit):
        tier_reevaluation_run(job.pk)
    job.refresh_from_db()
    # the first chunk (M0, M1) is written with its progress; the second rolled back
    assert (job.status, job.members_done, job.moves) == ("running", 2, {"BASIC→GOLD": 1, "GOLD→PLAT": 1})
    assert [_tier(m) for m in five_members[:3]] == ["GOLD", "PLAT", None]
    # a live run is not taken twice
    assert tier_reevaluation_run(job.pk) == "running"
    # when its heartbeat is old, the page's poll queues it again and the worker goes on
    monkeypatch.setattr(job_module, "reevaluation_apply", real_apply)
    Reevaluation.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    polled = tier_reevaluation_of(organization_id=org.pk, reevaluation_id=job.pk)
    assert polled is not None and polled.status == "queued"
    tier_reevaluation_of(organization_id=org.pk, reevaluation_id=job.pk)  # the next poll queues nothing more
    from django_tasks_db.models import DBTaskResult
    # (the start's task waits for a commit the test's transaction never makes): the first poll's only
    assert DBTaskResult.objects.filter(task_path__endswith="tier_reevaluation_task").count() == 1
    assert tier_reevaluation_run(job.pk) == "done"
    job.refresh_from_db()
    # then everybody is decided once, with the window of the first attempt
    assert (job.members_done, job.attempts) == (5, 2)
    assert job.moves == {"-→BASIC": 1, "BASIC→GOLD": 1, "GOLD→PLAT": 1}
    assert [_tier(m) for m in five_members] == ["GOLD", "PLAT", "BASIC", None, "PLAT"]
    assert TierChange.objects.filter(reason="reevaluation").count() == 3


def test_other_organizations_runs_are_not_found(five_members, org, actor):
    from sasom.testing.factories import OrganizationFactory

    job, _created = tier_reevaluation_start(organization_id=org.pk, actor=actor)
    other = OrganizationFactory()
    assert tier_reevaluation_of(organization_id=other.pk, reevaluation_id=job.pk) is None
