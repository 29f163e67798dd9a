"""Points credited to a referrer raise the referrer's tier in the posting's transaction, as a sale
raises the member's (both databases), with a history row naming the sale and an event."""

from __future__ import annotations

import pytest

from sasom.core.events import MEMBER_TIER_CHANGED, subscribe
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, TierChange

from .conftest import at

pytestmark = pytest.mark.django_db


def tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row and row.tier else None


@pytest.fixture
def referral(org, actor):
    """A referred member's first purchase pays the referrer 600 points."""
    rule_create(organization_id=org.pk, actor=actor, code="REF", name="Referral", kind="referral", priority=5,
                params={"member_points": 5, "referrer_points": 600, "min_amount": "0"})
    ruleset_forget()


def test_referral_points_raise_the_referrers_tier_at_once(ladder, sell, org, member_type, referral):
    # given a ladder Basic 500 / Gold 1,000 and a referrer who earned 600 points (Basic) in January
    ladder(window_months=12)
    referrer = MemberFactory(organization=org, member_type=member_type, code="REFERRER")
    friend = MemberFactory(organization=org, member_type=member_type, code="FRIEND", referred_by=referrer)
    sell(referrer, 600, when=at(2026, 1, 10))
    assert tier(referrer) == "BASIC"
    heard = []
    stop = subscribe(MEMBER_TIER_CHANGED, heard.append)
    try:
        # when the friend's first purchase credits the referrer 600 points
        sale = sell(friend, 100, when=at(2026, 2, 1)).sale
    finally:
        stop()
    # then the referrer has 1,200 points in the window: Gold now, not at their next purchase
    assert sale.referrer_points == 600
    assert tier(referrer) == "GOLD"
    change = TierChange.objects.get(member=referrer, to_code="GOLD")
    assert (change.from_code, change.reason, change.detail, change.measure, change.sale_id) == (
        "BASIC", "upgrade", "referral", 1200, sale.pk)
    assert change.window_from == at(2025, 2, 1, 0, 0) and change.window_to == at(2026, 2, 1)
    # and the change was announced for the referrer (the friend's own 105 points move nothing)
    assert [(e.payload["member"], e.payload["from"], e.payload["to"]) for e in heard] == [
        ("REFERRER", "BASIC", "GOLD")]
    assert tier(friend) is None


def test_referral_points_below_the_next_threshold_move_nothing(ladder, sell, org, member_type, referral):
    # given a referrer with 100 points of their own (no tier)
    ladder(window_months=12)
    referrer = MemberFactory(organization=org, member_type=member_type, code="REFERRER")
    friend = MemberFactory(organization=org, member_type=member_type, code="FRIEND", referred_by=referrer)
    sell(referrer, 100, when=at(2026, 1, 10))
    # when the friend's first purchase credits 600: 700 in the window reaches Basic, not Gold
    sell(friend, 100, when=at(2026, 2, 1))
    assert tier(referrer) == "BASIC"
    # and a later purchase of the friend credits the referrer nothing more (first purchase only)
    sell(friend, 100, when=at(2026, 2, 2))
    assert tier(referrer) == "BASIC"
    assert TierChange.objects.filter(member=referrer).count() == 1


def test_a_spend_ladder_is_not_moved_by_referral_points(ladder, sell, org, member_type, referral):
    # given a ladder on baht spent: the referrer spent 600 THB (Basic)
    ladder(window_months=12, basis="spend")
    referrer = MemberFactory(organization=org, member_type=member_type, code="REFERRER")
    friend = MemberFactory(organization=org, member_type=member_type, code="FRIEND", referred_by=referrer)
    sell(referrer, 600, when=at(2026, 1, 10))
    assert tier(referrer) == "BASIC"
    # when the friend's purchase credits the referrer 600 points, the referrer spent nothing more
    sell(friend, 100, when=at(2026, 2, 1))
    assert tier(referrer) == "BASIC"
