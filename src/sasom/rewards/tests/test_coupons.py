"""Coupons: issue for points, bulk issue by conditions, use once at the POS, cancel unused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import Entry
from sasom.ledger.services import account_for
from sasom.members.models import Member
from sasom.rewards import errors as E
from sasom.rewards.models import Coupon, CouponBatch
from sasom.rewards.pricing import CODE_ALPHABET, CODE_LENGTH, coupon_code_display
from sasom.rewards.services import (
    BillLine,
    coupon_cancel,
    coupon_issue,
    coupon_use,
    coupons_bulk_issue,
    coupons_bulk_preview,
)
from sasom.testing.factories import MemberFactory, MemberTypeFactory

from .conftest import at, balance

pytestmark = pytest.mark.django_db


def test_issue_a_cash_coupon_for_points(member, cash100, give_points, actor):
    # given 1,500 points
    give_points(member, 1500)
    # when the counter issues a 100-baht cash coupon on 5 March at 15:00 (Bangkok)
    coupon = coupon_issue(member=member, template=cash100, actor=actor, now=at(2026, 3, 5, 15))
    # then 1,000 points are spent and the coupon is valid for 30 days counting 5 March
    assert balance(member) == 500
    assert Entry.objects.get(pk=coupon.spend_entry_id).amount == 1000
    assert coupon.expires_at == at(2026, 4, 4, 0)
    assert coupon.status == Coupon.Status.ISSUED and coupon.points == 1000
    # and its code is 12 unambiguous characters, printed in groups of four
    assert len(coupon.code) == CODE_LENGTH and set(coupon.code) <= set(CODE_ALPHABET)
    assert coupon_code_display(coupon.code).count("-") == 2


def test_codes_are_unique_and_unpredictable(member, cash100, actor):
    cash100.per_member_limit = None
    cash100.points_cost = 0
    cash100.save()
    codes = {coupon_issue(member=member, template=cash100, actor=actor).code for _ in range(30)}
    assert len(codes) == 30


def test_issue_refusals(org, member, cash100, give_points, actor):
    # not enough points
    give_points(member, 999)
    with pytest.raises(DomainError) as info:
        coupon_issue(member=member, template=cash100, actor=actor)
    assert info.value.code == E.INSUFFICIENT_POINTS
    assert balance(member) == 999 and not Coupon.objects.exists()
    # limit per member: 2
    give_points(member, 2001)
    coupon_issue(member=member, template=cash100, actor=actor)
    coupon_issue(member=member, template=cash100, actor=actor)
    with pytest.raises(DomainError) as info:
        coupon_issue(member=member, template=cash100, actor=actor)
    assert info.value.code == E.COUPON_LIMIT_REACHED
    assert balance(member) == 1000
    # member type not allowed
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    cash100.member_types.set([vip])
    with pytest.raises(DomainError) as info:
        coupon_issue(member=member, template=cash100, actor=actor)
    assert info.value.code == E.NOT_ALLOWED_FOR_MEMBER_TYPE


def test_a_cancelled_coupon_does_not_count_towards_the_per_member_limit(member, cash100, give_points, actor):
    # given a coupon type limited to 2 per member, and a member who was issued 2
    give_points(member, 3000)
    first = coupon_issue(member=member, template=cash100, actor=actor)
    coupon_issue(member=member, template=cash100, actor=actor)
    # when one of them is cancelled (its points come back)
    coupon_cancel(coupon=first, actor=actor, reason="ออกผิด")
    assert balance(member) == 2000
    # then a third may be issued: the member holds 2 again
    third = coupon_issue(member=member, template=cash100, actor=actor)
    assert third.status == Coupon.Status.ISSUED
    assert balance(member) == 1000
    # and a fourth is refused
    with pytest.raises(DomainError) as info:
        coupon_issue(member=member, template=cash100, actor=actor)
    assert info.value.code == E.COUPON_LIMIT_REACHED


def _use(coupon, member, branch, actor, amount="500.00", **kw):
    return coupon_use(
        organization_id=coupon.organization_id, code=coupon_code_display(coupon.code).lower(), member=member,
        bill_amount=Decimal(amount), bill_reference=kw.pop("ref", "B1-0001"), branch=branch, actor=actor, **kw,
    )


def test_cash_coupon_pays_part_of_a_bill_once(member, branch, cash100, give_points, actor):
    # given a 100-baht cash coupon
    give_points(member, 1000)
    coupon = coupon_issue(member=member, template=cash100, actor=actor, now=at(2026, 3, 5))
    # when it is scanned (typed in lower case with dashes) on a 450-baht bill
    used = _use(coupon, member, branch, actor, "450.00", now=at(2026, 3, 6))
    # then it pays 100 baht and is used
    assert used.status == Coupon.Status.USED and used.used_amount == Decimal("100.00")
    assert used.used_bill_reference == "B1-0001" and used.used_branch == branch
    # and a second use is refused with coupon_used, nothing changed
    with pytest.raises(DomainError) as info:
        _use(coupon, member, branch, actor, "450.00", ref="B1-0002", now=at(2026, 3, 6))
    assert info.value.code == E.COUPON_USED
    assert Coupon.objects.get(pk=coupon.pk).used_bill_reference == "B1-0001"


def test_cash_coupon_never_pays_more_than_the_bill(member, branch, cash100, actor):
    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=actor, now=at(2026, 3, 5))
    assert _use(coupon, member, branch, actor, "80.00", now=at(2026, 3, 5)).used_amount == Decimal("80.00")


def test_discount_coupon_takes_ten_percent_of_the_drinks_only(member, branch, drinks10, give_points, actor):
    # given a 10 % drinks coupon (minimum bill 200)
    give_points(member, 200)
    coupon = coupon_issue(member=member, template=drinks10, actor=actor, now=at(2026, 3, 5))
    lines = [BillLine("COKE", "DRINKS", Decimal("135.00")), BillLine("RICE", "FOOD", Decimal("300.00"))]
    # when used on a 435-baht bill with 135 baht of drinks
    used = _use(coupon, member, branch, actor, "435.00", lines=lines, now=at(2026, 3, 6))
    # then it takes 13.50 off
    assert used.used_amount == Decimal("13.50")


def test_discount_coupon_refusals(member, branch, drinks10, actor):
    drinks10.points_cost = 0
    drinks10.save()
    coupon = coupon_issue(member=member, template=drinks10, actor=actor, now=at(2026, 3, 5, 9))
    food = [BillLine("RICE", "FOOD", Decimal("300.00"))]
    drinks = [BillLine("COKE", "DRINKS", Decimal("150.00"))]
    cases = [
        (E.BELOW_MINIMUM_SPEND, dict(amount="150.00", lines=drinks, now=at(2026, 3, 6))),
        (E.COUPON_NOT_APPLICABLE, dict(amount="300.00", lines=food, now=at(2026, 3, 6))),
        # 7 days counting 5 March: valid through 11 March, expired from 12 March 00:00 Bangkok
        (E.COUPON_EXPIRED, dict(amount="300.00", lines=drinks, now=at(2026, 3, 12, 0, 0))),
    ]
    for code, kw in cases:
        with pytest.raises(DomainError) as info:
            _use(coupon, member, branch, actor, kw.pop("amount"), **kw)
        assert info.value.code == code
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.ISSUED
    # still valid on the last evening
    assert _use(coupon, member, branch, actor, "300.00", lines=drinks, now=at(2026, 3, 11, 23, 59)).status == "used"


def test_coupon_of_another_member_is_refused(org, member, branch, cash100, actor):
    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=actor)
    someone_else = MemberFactory(organization=org, member_type=member.member_type)
    with pytest.raises(DomainError) as info:
        _use(coupon, someone_else, branch, actor)
    assert info.value.code == E.COUPON_NOT_YOURS


def test_unknown_code_is_not_found(member, branch, cash100, actor):
    cash100.points_cost = 0
    cash100.save()
    coupon_issue(member=member, template=cash100, actor=actor)
    with pytest.raises(DomainError) as info:
        coupon_use(
            organization_id=member.organization_id, code="ABCD-EFGH-JKMN", member=member, bill_amount=Decimal("100"),
            bill_reference="X", branch=branch, actor=actor,
        )
    assert info.value.code == E.COUPON_NOT_FOUND


def test_a_branch_of_another_organization_is_refused(member, other_org, cash100, actor):
    from sasom.testing.factories import BranchFactory

    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=actor)
    with pytest.raises(DomainError) as info:
        _use(coupon, member, BranchFactory(organization=other_org), actor)
    assert info.value.code == E.BRANCH_NOT_ALLOWED
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.ISSUED


def test_cancelled_gift_coupon_cannot_be_used_or_cancelled_again(member, branch, cash100, actor):
    # given a gift coupon (no points paid)
    coupon = coupon_issue(member=member, template=cash100, actor=actor, charge_points=False)
    # when it is cancelled
    coupon_cancel(coupon=coupon, actor=actor, reason="ออกผิดคน")
    # then it cannot be used, nor cancelled twice
    with pytest.raises(DomainError) as info:
        _use(coupon, member, branch, actor)
    assert info.value.code == E.COUPON_CANCELLED
    with pytest.raises(DomainError) as info:
        coupon_cancel(coupon=coupon, actor=actor, reason="อีกครั้ง")
    assert info.value.code == E.ALREADY_CANCELLED


def test_used_coupon_cannot_be_cancelled(member, branch, cash100, actor):
    coupon = coupon_issue(member=member, template=cash100, actor=actor, charge_points=False)
    _use(coupon, member, branch, actor)
    with pytest.raises(DomainError) as info:
        coupon_cancel(coupon=coupon, actor=actor, reason="ลูกค้าขอคืน")
    assert info.value.code == E.COUPON_USED


def test_cancelling_an_unused_coupon_returns_its_points(member, cash100, give_points, actor):
    give_points(member, 1000, when=at(2026, 1, 10))
    coupon = coupon_issue(member=member, template=cash100, actor=actor, now=at(2026, 3, 1))
    assert balance(member) == 0
    coupon_cancel(coupon=coupon, actor=actor, reason="ลูกค้าเปลี่ยนใจ")
    assert balance(member) == 1000
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.CANCELLED


def test_inactive_coupon_type_is_not_issued(member, cash100, actor):
    cash100.is_active = False
    cash100.save()
    with pytest.raises(DomainError) as info:
        coupon_issue(member=member, template=cash100, actor=actor, charge_points=False)
    assert info.value.code == E.COUPON_TEMPLATE_INACTIVE


def test_bulk_issue_to_members_who_earned_in_march(org, member_type, cash100, give_points, actor):
    # given three general members and one VIP; two general members earned in March
    vip_type = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    a = MemberFactory(organization=org, member_type=member_type)
    b = MemberFactory(organization=org, member_type=member_type)
    c = MemberFactory(organization=org, member_type=member_type)
    v = MemberFactory(organization=org, member_type=vip_type)
    _ = c
    from sasom.earning import engine
    from sasom.ledger.services import sale_post  # earn entries come from sales
    from sasom.testing.factories import BranchFactory, TerminalFactory

    shop = BranchFactory(organization=org)
    till = TerminalFactory(organization=org, branch=shop)
    for i, (m, amount, when) in enumerate([(a, "800", at(2026, 3, 3)), (b, "300", at(2026, 3, 20)), (v, "900", at(2026, 3, 4)), (a, "5000", at(2026, 2, 1))]):
        sale_post(
            organization=org, branch=shop, terminal=till, receipt_id=f"S{i}", member=m, actor=Actor.system(),
            basket=engine.Basket(occurred_at=when, lines=(engine.BasketLine(line_no=1, sku="X", quantity=Decimal(1), unit_price=Decimal(amount)),)),
            now=when,
        )
    # the segment builder's conditions, as broadcasts use them
    conditions = [{"kind": "member_type", "ids": [member_type.pk]},
                  {"kind": "points_earned", "from_on": dt.date(2026, 3, 1), "to_on": dt.date(2026, 3, 31), "min_points": 5}]
    # when marketing previews: a (8 points in March) yes, b (3) no, c (none) no, v (VIP) no
    preview = coupons_bulk_preview(organization=org, template=cash100, conditions=conditions)
    assert (preview.count, [m.pk for m in preview.sample]) == (1, [a.pk])
    # and issues as a gift
    batch = coupons_bulk_issue(organization=org, template=cash100, conditions=conditions, actor=actor, expected_count=1)
    # then a got one coupon that cost no points, and the batch keeps the conditions as plain JSON
    assert batch.issued_count == 1
    assert list(Coupon.objects.values_list("member_id", "points")) == [(a.pk, 0)]
    assert CouponBatch.objects.get().conditions[1] == {"kind": "points_earned", "from_on": "2026-03-01",
                                                        "to_on": "2026-03-31", "min_points": 5}
    # a stale preview is refused
    with pytest.raises(DomainError) as stale:
        coupons_bulk_issue(organization=org, template=cash100, conditions=conditions, actor=actor, expected_count=7)
    assert (stale.value.status, stale.value.field) == (409, "expected_count")
    assert CouponBatch.objects.count() == 1


def test_bulk_issue_takes_any_condition_of_the_segment_builder_and_refuses_a_bad_one(org, member_type, cash100, actor):
    # given members with tags, one of them closed
    wine = MemberFactory(organization=org, member_type=member_type, tags=["wine"], gender="female")
    MemberFactory(organization=org, member_type=member_type, tags=["beer"], gender="female")
    MemberFactory(organization=org, member_type=member_type, tags=["wine"], status=Member.Status.CLOSED)
    conditions = [{"kind": "tags", "tags": ["wine"]}, {"kind": "gender", "genders": ["female"]}]
    # when issued, then only the active wine lover gets one
    batch = coupons_bulk_issue(organization=org, template=cash100, conditions=conditions, actor=actor, expected_count=1)
    assert list(Coupon.objects.filter(batch=batch).values_list("member_id", flat=True)) == [wine.pk]
    # and a bad condition is refused naming its field, issuing nothing
    with pytest.raises(DomainError) as bad:
        coupons_bulk_issue(organization=org, template=cash100, actor=actor,
                           conditions=[{"kind": "birth_month", "months": [13]}])
    assert bad.value.field == "conditions.0.months"
    assert CouponBatch.objects.count() == 1


def test_bulk_issue_by_balance_charging_points_skips_who_cannot_pay(org, member_type, cash100, give_points, actor):
    rich = MemberFactory(organization=org, member_type=member_type)
    poor = MemberFactory(organization=org, member_type=member_type)
    give_points(rich, 3000)
    give_points(poor, 500)
    account_for(MemberFactory(organization=org, member_type=member_type, status=Member.Status.CLOSED))
    conditions = [{"kind": "balance", "min_points": 500}]
    assert coupons_bulk_preview(organization=org, template=cash100, conditions=conditions).count == 2
    batch = coupons_bulk_issue(organization=org, template=cash100, conditions=conditions, actor=actor, charge_points=True)
    assert batch.issued_count == 1
    assert balance(rich) == 2000 and balance(poor) == 500


def test_coupon_shows_its_last_valid_day(member, cash100, actor):
    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=actor, now=at(2026, 3, 5, 15))
    assert coupon.last_valid_on == dt.date(2026, 4, 3)
