from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.members import lifecycle
from sasom.members.lifecycle import Criteria, lifecycle_apply, lifecycle_preview, members_expire_due
from sasom.members.models import Member
from sasom.members.selectors import purchases_between
from sasom.testing.factories import MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db
S = Member.Status


@pytest.fixture
def shop(org, gen_type, vip_type):
    """Five members on 15 June 2026: two run out soon, one already ran out, one VIP, one closed."""
    mk = lambda code, mt, **kw: MemberFactory(organization=org, member_type=mt, code=code, **kw)  # noqa: E731
    return {
        "soon1": mk("M1", gen_type, joined_on=dt.date(2025, 7, 1), expires_on=dt.date(2026, 7, 1)),
        "soon2": mk("M2", gen_type, joined_on=dt.date(2025, 7, 20), expires_on=dt.date(2026, 7, 20)),
        "gone": mk("M3", gen_type, joined_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 1, 1), status=S.EXPIRED),
        "vip": mk("M4", vip_type, joined_on=dt.date(2024, 1, 1), expires_on=dt.date(2026, 12, 31)),
        "closed": mk("M5", gen_type, joined_on=dt.date(2024, 1, 1), expires_on=dt.date(2026, 7, 1), status=S.CLOSED),
    }


def run(org, actor, tool, criteria):
    preview = lifecycle_preview(organization_id=org.pk, tool=tool, criteria=criteria, today=TODAY)
    applied = lifecycle_apply(organization_id=org.pk, tool=tool, criteria=criteria, actor=actor, expected_count=preview, today=TODAY)
    return preview, applied


def test_auto_renew_by_type_and_expiry_range(org, actor, shop, gen_type):
    # when general members expiring in July are renewed
    c = Criteria(member_type_ids=[gen_type.pk], expires_from=dt.date(2026, 7, 1), expires_to=dt.date(2026, 7, 31))
    preview, applied = run(org, actor, lifecycle.RENEW, c)
    # then the preview counted exactly the two that changed (the closed one is left alone)
    assert preview == applied == 2
    m1, m5 = Member.objects.get(code="M1"), Member.objects.get(code="M5")
    assert m1.expires_on == dt.date(2027, 7, 1) and m5.expires_on == dt.date(2026, 7, 1)
    assert AuditEvent.objects.filter(action="member.renew").count() == 2
    assert AuditEvent.objects.filter(action="members.bulk_renew").get().changes["count"] == [None, 2]


def test_renewing_an_expired_member_starts_from_today(org, actor, shop):
    preview, applied = run(org, actor, lifecycle.RENEW, Criteria(member_ids=[shop["gone"].pk]))
    gone = Member.objects.get(code="M3")
    assert preview == applied == 1 and gone.status == S.ACTIVE and gone.expires_on == dt.date(2027, 6, 15)


def test_renew_with_minimum_purchases_counts_only_buyers(org, actor, shop, gen_type):
    # purchases come from the ledger's sales; with none recorded nobody reaches 500 baht
    c = Criteria(member_type_ids=[gen_type.pk], min_purchases=Decimal("500"), purchases_from=dt.date(2026, 1, 1), purchases_to=TODAY)
    assert run(org, actor, lifecycle.RENEW, c) == (0, 0)
    assert purchases_between(org.pk, [shop["soon1"].pk], None, None) == {shop["soon1"].pk: Decimal("0.00")}
    c.min_purchases = Decimal("0")
    assert run(org, actor, lifecycle.RENEW, c)[1] == 3


def test_extend_by_days_and_set_expiry(org, actor, shop):
    preview, applied = run(org, actor, lifecycle.EXTEND, Criteria(days=30, expires_to=dt.date(2026, 7, 31)))
    assert preview == applied == 3  # M1, M2 and the expired M3; not the closed M5
    assert Member.objects.get(code="M3").expires_on == dt.date(2026, 1, 31)
    assert Member.objects.get(code="M3").status == S.EXPIRED  # still in the past
    preview, applied = run(org, actor, lifecycle.SET_EXPIRY, Criteria(member_ids=[shop["gone"].pk], new_expires_on=dt.date(2026, 12, 31)))
    gone = Member.objects.get(code="M3")
    assert preview == applied == 1 and gone.expires_on == dt.date(2026, 12, 31) and gone.status == S.ACTIVE


def test_deactivate_members_inactive_since(org, actor, shop):
    c = Criteria(inactive_since=dt.date(2025, 7, 10), target_status=S.SUSPENDED)
    preview, applied = run(org, actor, lifecycle.DEACTIVATE, c)
    # active members who joined before 10 July 2025 and bought nothing since: M1 and M4
    assert preview == applied == 2
    assert set(Member.objects.filter(status=S.SUSPENDED).values_list("code", flat=True)) == {"M1", "M4"}


def test_bulk_anonymize(org, actor, shop):
    preview, applied = run(org, actor, lifecycle.ANONYMIZE, Criteria(member_ids=[shop["closed"].pk]))
    m = Member.objects.get(code="M5")
    assert preview == applied == 1 and m.status == S.ANONYMIZED and m.phone is None


def test_apply_refuses_when_the_preview_is_stale(org, actor, shop, gen_type):
    c = Criteria(member_type_ids=[gen_type.pk])
    with pytest.raises(DomainError) as exc:
        lifecycle_apply(organization_id=org.pk, tool=lifecycle.RENEW, criteria=c, actor=actor, expected_count=99, today=TODAY)
    assert exc.value.code == lifecycle.PREVIEW_STALE
    assert Member.objects.get(code="M1").expires_on == dt.date(2026, 7, 1)


def test_missing_tool_parameter_names_the_field(org, shop):
    with pytest.raises(DomainError) as exc:
        lifecycle_preview(organization_id=org.pk, tool=lifecycle.EXTEND, criteria=Criteria(), today=TODAY)
    assert exc.value.field == "days"


def test_expire_due_is_idempotent_and_only_touches_its_organization(org, other_org, actor, shop):
    foreign = MemberFactory(organization=other_org, expires_on=dt.date(2026, 1, 1))
    later = dt.date(2026, 7, 2)
    # M1 expired on 1 July; M5 is closed and stays closed
    assert members_expire_due(org.pk, later) == 1
    assert members_expire_due(org.pk, later) == 0
    assert Member.objects.get(code="M1").status == S.EXPIRED
    assert Member.objects.get(code="M5").status == S.CLOSED
    foreign.refresh_from_db()
    assert foreign.status == S.ACTIVE
    assert AuditEvent.objects.filter(action="member.expire", organization=org).count() == 1


def test_purchases_from_ledger_sales_drive_auto_renew_and_inactivity(org, actor, shop, gen_type, terminal):
    # given M1 bought 600 baht in May and M2 300 baht (the sale is the ledger's record of a receipt)
    from django.utils import timezone

    from sasom.ledger.models import Sale

    for n, (member, net) in enumerate(((shop["soon1"], "600.00"), (shop["soon2"], "300.00"))):
        Sale.objects.create(
            organization=org, branch=terminal.branch, terminal=terminal, receipt_id=f"R{n}", member=member,
            occurred_at=timezone.make_aware(dt.datetime(2026, 5, 10, 12, 0)), gross=Decimal(net), net=Decimal(net),
            body_hash=f"h{n}",
        )
    totals = purchases_between(org.pk, [shop["soon1"].pk, shop["soon2"].pk], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert totals == {shop["soon1"].pk: Decimal("600.00"), shop["soon2"].pk: Decimal("300.00")}
    # when general members who bought at least 500 baht in May are renewed
    c = Criteria(member_type_ids=[gen_type.pk], min_purchases=Decimal("500"), purchases_from=dt.date(2026, 5, 1), purchases_to=dt.date(2026, 5, 31))
    # then only M1 is renewed
    assert run(org, actor, lifecycle.RENEW, c) == (1, 1)
    assert Member.objects.get(code="M1").expires_on == dt.date(2027, 7, 1)
    # and of the active members, only M4 (the VIP who bought nothing) is inactive since 1 May
    c = Criteria(inactive_since=dt.date(2026, 5, 1))
    assert run(org, actor, lifecycle.DEACTIVATE, c) == (1, 1)
    assert list(Member.objects.filter(status=S.SUSPENDED).values_list("code", flat=True)) == ["M4"]


@pytest.mark.parametrize(
    ("sold_at", "counts"),
    [
        (dt.datetime(2026, 5, 31, 23, 59), True),  # the last minute of the last day
        (dt.datetime(2026, 5, 31, 0, 30), True),  # still 30 May in UTC
        (dt.datetime(2026, 5, 1, 0, 0), True),  # the first minute of the first day
        (dt.datetime(2026, 6, 1, 0, 0), False),
        (dt.datetime(2026, 4, 30, 23, 59), False),
    ],
)
def test_a_purchases_range_includes_its_first_and_last_day(org, actor, shop, gen_type, terminal, sold_at, counts):
    # given M1 bought 600 baht at a given local (Bangkok) time
    from django.utils import timezone

    from sasom.ledger.models import Sale  # a ledger sale: the purchases source the lifecycle reads

    Sale.objects.create(
        organization=org, branch=terminal.branch, terminal=terminal, receipt_id="R1", member=shop["soon1"],
        occurred_at=timezone.make_aware(sold_at), gross=Decimal("600.00"), net=Decimal("600.00"), body_hash="h1",
    )
    # when general members who bought at least 500 baht from 1 to 31 May are renewed
    c = Criteria(member_type_ids=[gen_type.pk], min_purchases=Decimal("500"),
                 purchases_from=dt.date(2026, 5, 1), purchases_to=dt.date(2026, 5, 31))
    # then a sale on either end day counts, and one a minute outside does not
    assert run(org, actor, lifecycle.RENEW, c) == ((1, 1) if counts else (0, 0))


def test_the_member_expiry_job_takes_the_date_it_runs_for(org, other_org, shop):
    from sasom.core.jobs import job_run

    # M1's card runs out on 1 July (expires_on): the job for 1 July leaves it, the one for 2 July marks it
    assert job_run("members_expire", on_date=dt.date(2026, 7, 1), organization_id=org.pk).counts == {
        "expired_members": 0}
    assert Member.objects.get(code="M1").status == S.ACTIVE
    assert job_run("members_expire", on_date=dt.date(2026, 7, 2), organization_id=org.pk).counts == {
        "expired_members": 1}
    assert Member.objects.get(code="M1").status == S.EXPIRED
