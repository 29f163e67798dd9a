"""Redeeming rewards at the service counter: worked examples and every refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.ledger.models import Entry, LotDraw
from sasom.members.models import Member
from sasom.organizations.models import Role
from sasom.rewards import errors as E
from sasom.rewards.models import Redemption, Reward, RewardStock
from sasom.rewards.selectors import member_tier, reward_options
from sasom.rewards.services import reward_redeem
from sasom.testing.factories import MemberFactory, MemberTypeFactory

from .conftest import at, balance

pytestmark = pytest.mark.django_db


def test_redeem_a_tote_bag_spends_the_soonest_expiring_points_and_takes_one_from_stock(
    member, branch, tote_bag, give_points, actor, counter_staff
):
    # given Somchai earned 200 points in January and 250 in March (each lot lasts 365 days)
    january = give_points(member, 200, when=at(2026, 1, 10))
    march = give_points(member, 250, when=at(2026, 3, 5))
    # when he takes a tote bag (300 points) at the counter
    redemption = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor, staff=counter_staff)
    # then the January lot is used up first, then 100 of the March lot
    draws = {d.lot.entry_id: d.amount for d in LotDraw.objects.filter(entry_id=redemption.spend_entry_id).select_related("lot")}
    assert draws == {january.pk: 200, march.pk: 100}
    assert balance(member) == 150
    spend = Entry.objects.get(pk=redemption.spend_entry_id)
    assert (spend.kind, spend.amount, spend.source_id) == (Entry.Kind.REDEEM, 300, redemption.number)
    # and the stock went from 5 to 4, the slip is numbered, the redemption is audited
    assert Reward.objects.get(pk=tote_bag.pk).stock == 4
    assert redemption.number == "RD0000001"
    assert redemption.points == 300 and redemption.status == Redemption.Status.DONE
    assert AuditEvent.objects.filter(action="reward.redeem", object_id=str(redemption.pk)).exists()


def test_slip_numbers_run_on(member, branch, tote_bag, give_points, actor):
    give_points(member, 600)
    first = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor)
    second = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor)
    assert (first.number, second.number) == ("RD0000001", "RD0000002")


def test_per_branch_stock_is_taken_at_the_branch_and_copay_recorded(member, branch, glass, give_points, actor):
    # given 1,000 points and 3 glasses at B1
    give_points(member, 1000)
    # when he redeems 2 glasses
    redemption = reward_redeem(member=member, reward=glass, branch=branch, actor=actor, quantity=2)
    # then B1 has 1 left, 1,000 points were spent and 40 baht is to be paid in cash
    assert RewardStock.objects.get(reward=glass, branch=branch).quantity == 1
    assert redemption.points == 1000 and redemption.cash_copay == Decimal("40.00")
    assert balance(member) == 0


def _refused(code, **kwargs):
    with pytest.raises(DomainError) as info:
        reward_redeem(**kwargs)
    assert info.value.code == code
    return info.value


def test_redeeming_two_from_a_global_stock_takes_two(member, branch, tote_bag, give_points, actor):
    # given a tote bag with a global stock of 5 and a member with 600 points
    give_points(member, 600)
    # when the member takes 2
    redemption = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor, quantity=2)
    # then 3 are left, and 600 points were spent
    assert Reward.objects.get(pk=tote_bag.pk).stock == 3
    assert (redemption.quantity, redemption.points) == (2, 600)
    assert balance(member) == 0


def test_not_enough_points_changes_nothing(member, branch, tote_bag, give_points, actor):
    give_points(member, 299)
    error = _refused(E.INSUFFICIENT_POINTS, member=member, reward=tote_bag, branch=branch, actor=actor)
    assert error.field == "reward"
    assert balance(member) == 299
    assert Reward.objects.get(pk=tote_bag.pk).stock == 5
    assert not Redemption.objects.exists()


def test_out_of_stock_at_this_branch(member, branch, branch2, glass, give_points, actor):
    # given glasses are stocked only at B1
    give_points(member, 500)
    # when the member asks at B2
    _refused(E.OUT_OF_STOCK, member=member, reward=glass, branch=branch2, actor=actor)
    # then nothing is spent
    assert balance(member) == 500
    assert not Redemption.objects.exists()


def test_global_stock_runs_out(member, branch, tote_bag, give_points, actor):
    Reward.objects.filter(pk=tote_bag.pk).update(stock=0, limit_quantity=None)
    give_points(member, 300)
    _refused(E.OUT_OF_STOCK, member=member, reward=tote_bag, branch=branch, actor=actor)
    assert balance(member) == 300


def test_monthly_limit_reached_then_open_again_next_month(member, branch, tote_bag, give_points, actor):
    # given 2 bags per member per month, and he took 2 on 10 March
    give_points(member, 900, when=at(2026, 3, 1))
    reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor, quantity=2, now=at(2026, 3, 10))
    # when he asks for a third on 31 March
    _refused(E.LIMIT_REACHED, member=member, reward=tote_bag, branch=branch, actor=actor, now=at(2026, 3, 31, 23, 59))
    # then on 1 April (Bangkok time) he may again
    Redemption.objects.update(created_at=at(2026, 3, 10))
    reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor, now=at(2026, 4, 1, 0, 1))
    assert balance(member) == 0


def test_reward_for_vip_only_is_refused_to_a_general_member(org, member, branch, tote_bag, give_points, actor):
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    tote_bag.member_types.set([vip])
    give_points(member, 300)
    _refused(E.NOT_ALLOWED_FOR_MEMBER_TYPE, member=member, reward=tote_bag, branch=branch, actor=actor)


def test_reward_outside_its_dates_is_not_available(member, branch, tote_bag, give_points, actor):
    import datetime as dt

    Reward.objects.filter(pk=tote_bag.pk).update(valid_to_on=dt.date(2026, 2, 28))
    tote_bag.refresh_from_db()
    give_points(member, 300)
    _refused(E.REWARD_NOT_AVAILABLE, member=member, reward=tote_bag, branch=branch, actor=actor, now=at(2026, 3, 1))


def test_suspended_member_cannot_redeem(member, branch, tote_bag, give_points, actor):
    give_points(member, 300)
    Member.objects.filter(pk=member.pk).update(status=Member.Status.SUSPENDED)
    member.refresh_from_db()
    _refused(E.MEMBER_NOT_ACTIVE, member=member, reward=tote_bag, branch=branch, actor=actor)


def test_counter_staff_cannot_redeem_at_another_branch(member, branch2, tote_bag, give_points, make_staff):
    staff = make_staff(Role.SERVICE_COUNTER)  # works at B1 only
    give_points(member, 300)
    _refused(
        E.BRANCH_NOT_ALLOWED, member=member, reward=tote_bag, branch=branch2, actor=Actor.for_user(staff.user), staff=staff
    )
    assert balance(member) == 300


def test_zero_quantity_is_refused(member, branch, tote_bag, give_points, actor):
    give_points(member, 300)
    _refused(E.QUANTITY_INVALID, member=member, reward=tote_bag, branch=branch, actor=actor, quantity=0)


def test_counter_sees_only_what_the_member_can_redeem_now(org, member, branch, tote_bag, glass, give_points):
    # given 400 points: enough for the bag (300), not for the glass (500); a VIP-only reward too
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    vip_only = Reward.objects.create(organization=org, code="VIPMUG", name="แก้ว VIP", points_cost=10)
    vip_only.member_types.set([vip])
    give_points(member, 400)
    # when the counter lists the rewards
    options = {o.reward.code: o for o in reward_options(member, branch=branch, spendable=400)}
    # then the VIP reward is not offered; the bag is redeemable; the glass is short by 100 points
    assert set(options) == {"BAG", "GLASS"}
    assert options["BAG"].redeemable and options["BAG"].stock_left == 5 and options["BAG"].limit_left == 2
    assert not options["GLASS"].redeemable and options["GLASS"].shortfall == 100


def test_reward_options_query_count_does_not_grow_with_the_catalog(org, member, branch, give_points, django_assert_num_queries):
    for i in range(10):
        Reward.objects.create(organization=org, code=f"R{i}", name=f"ของรางวัล {i}", points_cost=10 + i)
    MemberFactory(organization=org, member_type=member.member_type)
    member_tier(member)  # the ladder lookup is cached per process (no ladder: no tier query)
    with django_assert_num_queries(3):
        options = reward_options(member, branch=branch, spendable=100)
    assert len(options) == 10


def test_member_of_another_organization_is_not_found(other_org, branch, tote_bag, actor):
    stranger = MemberFactory(organization=other_org)
    _refused(E.MEMBER_NOT_FOUND, member=stranger, reward=tote_bag, branch=branch, actor=actor)
