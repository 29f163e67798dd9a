"""Cancelling a redemption (points back as new lots with their original expiry) and buying missing points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.ledger.models import Entry, Lot
from sasom.rewards import errors as E
from sasom.rewards.models import PointsPurchase, Redemption, Reward, RewardSettings, RewardStock
from sasom.rewards.services import points_purchase_void, redemption_cancel, reward_redeem

from .conftest import at, balance

pytestmark = pytest.mark.django_db


def test_cancel_a_wrong_item_returns_points_with_their_original_expiry_and_stock(
    member, branch, tote_bag, give_points, actor
):
    # given 200 points from 10 Jan 2026 (expire 10 Jan 2027) and 250 from 5 March (expire 5 March 2027)
    give_points(member, 200, when=at(2026, 1, 10))
    give_points(member, 250, when=at(2026, 3, 5))
    redemption = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor)
    # when the counter cancels it: the member wanted a glass, not a bag
    cancelled = redemption_cancel(redemption=redemption, actor=actor, reason="ผิดรายการ: ลูกค้าต้องการแก้วน้ำ")
    # then the 300 points come back as new lots keeping 10 Jan 2027 (200) and 5 March 2027 (100)
    assert balance(member) == 450
    new_lots = Lot.objects.filter(entry_id=cancelled.return_entry_id).order_by("expires_on")
    assert [(lot.amount, lot.expires_on.isoformat()) for lot in new_lots] == [(200, "2027-01-10"), (100, "2027-03-05")]
    # and the bag is back in stock; the cancel is audited with its reason
    assert Reward.objects.get(pk=tote_bag.pk).stock == 5
    assert cancelled.status == Redemption.Status.CANCELLED
    assert AuditEvent.objects.get(action="reward.redemption_cancel").reason.startswith("ผิดรายการ")
    # and only once
    with pytest.raises(DomainError) as info:
        redemption_cancel(redemption=redemption, actor=actor, reason="อีกครั้ง")
    assert info.value.code == E.ALREADY_CANCELLED
    assert balance(member) == 450


def test_cancel_needs_a_reason(member, branch, tote_bag, give_points, actor):
    give_points(member, 300)
    redemption = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor)
    with pytest.raises(DomainError) as info:
        redemption_cancel(redemption=redemption, actor=actor, reason="  ")
    assert info.value.code == E.REASON_REQUIRED
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.DONE
    assert balance(member) == 0


def test_member_short_of_a_glass_buys_the_missing_points(member, branch, glass, give_points, purchase_settings, actor):
    # given 420 points; a glass costs 500; points sell at 0.50 baht, at most 200 per redemption
    give_points(member, 420)
    # when the member pays 40 baht (receipt B1-0099) for the missing 80 points and redeems
    redemption = reward_redeem(
        member=member, reward=glass, branch=branch, actor=actor, buy_points=80, payment_reference="B1-0099"
    )
    # then the purchase is a ledger entry with its payment reference, and the balance is 0
    purchase = redemption.purchase
    assert (purchase.points, purchase.amount, purchase.payment_reference) == (80, Decimal("40.00"), "B1-0099")
    assert balance(member) == 0
    # when that sale is voided, the purchase is voided with it (once)
    redemption_cancel(redemption=redemption, actor=actor, reason="ลูกค้าเปลี่ยนใจ")
    points_purchase_void(purchase=purchase, actor=actor, reason="ยกเลิกบิล B1-0099")
    assert balance(member) == 420
    assert PointsPurchase.objects.get(pk=purchase.pk).status == PointsPurchase.Status.VOIDED


def test_buying_more_than_the_missing_points_is_refused(member, branch, glass, give_points, purchase_settings, actor):
    # given 420 points; a glass costs 500, so 80 are missing
    give_points(member, 420)
    # when the counter tries to sell 90 points with it
    with pytest.raises(DomainError) as info:
        reward_redeem(member=member, reward=glass, branch=branch, actor=actor, buy_points=90, payment_reference="B1-1")
    # then it is refused: only the missing 80 may be bought, and nothing changed
    assert info.value.code == E.QUANTITY_INVALID
    assert balance(member) == 420
    assert not Redemption.objects.exists() and not PointsPurchase.objects.exists()
    assert RewardStock.objects.get(reward=glass, branch=branch).quantity == 3


@pytest.mark.parametrize(
    ("settings", "buy", "ref", "code"),
    [
        (None, 80, "B1-1", E.POINTS_PURCHASE_DISABLED),
        ((Decimal("0.50"), 50), 80, "B1-1", E.POINTS_PURCHASE_OVER_LIMIT),
        ((Decimal("0.50"), 200), 80, "", E.PAYMENT_REFERENCE_REQUIRED),
        ((Decimal("0.50"), 200), 70, "B1-1", E.QUANTITY_INVALID),
        ((Decimal("0.50"), 200), 0, "", E.INSUFFICIENT_POINTS),
    ],
)
def test_buying_points_refusals(org, member, branch, glass, give_points, actor, settings, buy, ref, code):
    if settings:
        RewardSettings.objects.create(organization=org, point_price=settings[0], purchase_max_points=settings[1])
    give_points(member, 420)
    with pytest.raises(DomainError) as info:
        reward_redeem(member=member, reward=glass, branch=branch, actor=actor, buy_points=buy, payment_reference=ref)
    assert info.value.code == code
    assert balance(member) == 420
    assert not Redemption.objects.exists() and not PointsPurchase.objects.exists()


def test_cancel_returns_points_and_stock_once(member, branch, tote_bag, give_points, actor):
    # given 450 points in two lots and a tote bag redeemed for 300
    give_points(member, 200, when=at(2026, 1, 10))
    give_points(member, 250, when=at(2026, 3, 5))
    redemption = reward_redeem(member=member, reward=tote_bag, branch=branch, actor=actor)
    # when the counter cancels it with a reason
    cancelled = redemption_cancel(redemption=redemption, actor=actor, reason="ผิดรายการ")
    # then the 300 points are back (as a reversal naming the spend), the bag is back in stock
    assert balance(member) == 450
    back = Entry.objects.get(pk=cancelled.return_entry_id)
    assert (back.kind, back.sign, back.amount, back.reverses_id) == (Entry.Kind.REVERSE, 1, 300, redemption.spend_entry_id)
    assert Reward.objects.get(pk=tote_bag.pk).stock == 5
    # and a second cancel is refused, nothing changed
    with pytest.raises(DomainError) as info:
        redemption_cancel(redemption=redemption, actor=actor, reason="อีกครั้ง")
    assert info.value.code == E.ALREADY_CANCELLED
    assert balance(member) == 450 and Reward.objects.get(pk=tote_bag.pk).stock == 5


def test_cancel_at_a_per_branch_reward_returns_stock_to_that_branch(member, branch, glass, give_points, actor):
    give_points(member, 500)
    redemption = reward_redeem(member=member, reward=glass, branch=branch, actor=actor)
    redemption_cancel(redemption=redemption, actor=actor, reason="ลูกค้าเปลี่ยนใจ")
    assert RewardStock.objects.get(reward=glass, branch=branch).quantity == 3
    assert balance(member) == 500
