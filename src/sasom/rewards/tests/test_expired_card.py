"""A member whose card has expired cannot redeem rewards or coupons where the member type says
benefits stop on expiry, whether or not the nightly expiry job has marked them yet; where the
type says benefits go on, they can (issue 13)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from sasom.core.errors import DomainError
from sasom.members.models import Member
from sasom.rewards import errors as E
from sasom.rewards.models import Coupon, Redemption
from sasom.rewards.selectors import reward_options
from sasom.rewards.services import coupon_issue, coupon_use, reward_redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired(member):
    """Somchai's card ran out yesterday; the nightly job has not run yet (status still active)."""
    member.expires_on = timezone.localdate() - dt.timedelta(days=1)
    member.save(update_fields=["expires_on"])
    return member


def _stops(member, stop: bool) -> None:
    member.member_type.benefits_stop_on_expiry = stop
    member.member_type.save(update_fields=["benefits_stop_on_expiry"])


def test_an_expired_card_redeems_no_reward_where_benefits_stop(expired, branch, tote_bag, give_points, actor):
    # given 500 points and a type whose benefits stop on expiry
    give_points(expired, 500)
    _stops(expired, True)
    # when he asks for a tote bag
    with pytest.raises(DomainError) as refused:
        reward_redeem(member=expired, reward=tote_bag, branch=branch, actor=actor)
    # then it is refused, saying why, and nothing is spent
    assert (refused.value.code, refused.value.field) == (E.MEMBER_EXPIRED, "member")
    assert not Redemption.objects.exists()


def test_an_expired_card_gets_no_coupon_nor_uses_one_where_benefits_stop(expired, branch, cash100, give_points, actor):
    give_points(expired, 3000)
    coupon = coupon_issue(member=expired, template=cash100, actor=actor, now=timezone.now() - dt.timedelta(days=3))
    _stops(expired, True)
    with pytest.raises(DomainError) as refused:
        coupon_issue(member=expired, template=cash100, actor=actor)
    assert refused.value.code == E.MEMBER_EXPIRED
    with pytest.raises(DomainError) as refused_use:
        coupon_use(organization_id=expired.organization_id, code=coupon.code, member=expired,
                   bill_amount=Decimal("500"), bill_reference="R-1", branch=branch, actor=actor)
    assert refused_use.value.code == E.MEMBER_EXPIRED
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.ISSUED


def test_where_benefits_go_on_an_expired_card_still_redeems(expired, branch, tote_bag, give_points, actor):
    give_points(expired, 500)
    _stops(expired, False)
    # even once the nightly job has marked the card expired
    Member.objects.filter(pk=expired.pk).update(status=Member.Status.EXPIRED)
    expired.refresh_from_db()
    assert reward_redeem(member=expired, reward=tote_bag, branch=branch, actor=actor).points == 300


def test_the_daily_command_marks_expired_cards(expired, org):
    # when the daily jobs run
    call_command("sasom_daily", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then the card is marked expired
    expired.refresh_from_db()
    assert expired.status == Member.Status.EXPIRED


def test_the_counter_offers_an_expired_card_nothing_redeemable(expired, branch, tote_bag, give_points):
    # given points enough, and a type whose benefits stop on expiry
    give_points(expired, 500)
    _stops(expired, True)
    # when the counter lists the rewards
    options = reward_options(expired, branch=branch, spendable=500)
    # then each says why it cannot be had
    assert options and {(o.redeemable, o.refusal) for o in options} == {(False, E.MEMBER_EXPIRED)}
