from __future__ import annotations

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.ledger.models import Entry, ExpiryPolicy, Lot
from sasom.ledger.services import (
    INSUFFICIENT_POINTS,
    NOT_ALLOWED,
    REASON_REQUIRED,
    account_for,
    points_adjust,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at
from sasom.organizations.models import Role


def test_admin_adds_points_with_a_reason_and_it_is_audited(member, make_staff, policy):
    # given an admin and a shop whose points expire at the end of next year
    policy(expiry_policy=ExpiryPolicy.END_OF_YEAR, expiry_n=12)
    admin = make_staff(Role.ADMIN)
    account = account_for(member)
    # when the admin adds 50 points for a lost receipt
    entry = points_adjust(account=account, points=50, reason="ใบเสร็จหาย (lost receipt)",
                          actor=Actor.for_user(admin.user), now=at(2026, 5, 2))
    # then the points are spendable, with a lot expiring 31 Dec 2027, and the change is audited
    account.refresh_from_db()
    assert account.spendable == 50 and account.lifetime_earned == 0
    assert (entry.kind, entry.sign, entry.reason, entry.staff_user_id) == ("adjust", 1, "ใบเสร็จหาย (lost receipt)", admin.user_id)
    assert str(Lot.objects.get(entry=entry).expires_on) == "2027-12-31"
    event = AuditEvent.objects.get(action="points.adjust")
    assert event.reason == "ใบเสร็จหาย (lost receipt)" and event.changes["points"] == [None, 50]
    # when the admin takes 20 back
    points_adjust(account=account, points=-20, reason="duplicate", actor=Actor.for_user(admin.user))
    account.refresh_from_db()
    assert account.spendable == 30
    assert_ledger_consistent(account)


def test_an_adjustment_needs_a_reason(member, make_staff):
    admin = make_staff(Role.ADMIN)
    with pytest.raises(DomainError) as err:
        points_adjust(account=account_for(member), points=10, reason="  ", actor=Actor.for_user(admin.user))
    assert err.value.code == REASON_REQUIRED and err.value.field == "reason"


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SERVICE_COUNTER, Role.BRANCH_MANAGER, Role.MARKETING, Role.AUDITOR])
def test_roles_without_points_adjust_are_refused(member, make_staff, role):
    staff = make_staff(role)
    with pytest.raises(DomainError) as err:
        points_adjust(account=account_for(member), points=10, reason="gift", actor=Actor.for_user(staff.user))
    assert err.value.code == NOT_ALLOWED and err.value.status == 403
    assert not Entry.objects.exists()


def test_staff_of_another_organization_is_refused(member, make_staff, other_org):
    stranger = make_staff(Role.OWNER, organization=other_org)
    with pytest.raises(DomainError) as err:
        points_adjust(account=account_for(member), points=10, reason="gift", actor=Actor.for_user(stranger.user))
    assert err.value.code == NOT_ALLOWED


def test_a_deduction_never_takes_the_balance_below_zero(member, make_staff):
    admin = make_staff(Role.OWNER)
    account = account_for(member)
    with pytest.raises(DomainError) as err:
        points_adjust(account=account, points=-1, reason="oops", actor=Actor.for_user(admin.user))
    assert err.value.code == INSUFFICIENT_POINTS
