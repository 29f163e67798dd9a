"""Points as a bill discount: the quote with both caps, the commit, the return of a points-paid sale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.checkout.services import points_discount_apply
from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.models import Entry, Sale
from sasom.ledger.services import sale_return, sale_void
from sasom.rewards import errors as E
from sasom.rewards.models import PointsDiscountRule
from sasom.rewards.services import points_discount_quote_for
from sasom.testing.factories import MemberTypeFactory

from .conftest import at, balance


@pytest.fixture
def rule(org):
    return PointsDiscountRule.objects.create(
        organization=org, points_per_unit=10, min_points=100, max_bill_percent=30, max_balance_percent=50
    )


def _basket(*amounts: str):
    return engine.Basket(
        occurred_at=at(2026, 3, 10, 12),
        lines=tuple(
            engine.BasketLine(line_no=i + 1, sku=f"SKU{i + 1}", quantity=Decimal(1), unit_price=Decimal(a))
            for i, a in enumerate(amounts)
        ),
    )


@pytest.mark.django_db
def test_member_type_rule_overrides_the_default(org, member, rule, give_points):
    give_points(member, 5000)
    assert points_discount_quote_for(member, bill_amount=Decimal("1000")).max_points == 2500
    PointsDiscountRule.objects.create(organization=org, member_type=member.member_type, points_per_unit=20, max_balance_percent=100)
    assert points_discount_quote_for(member, bill_amount=Decimal("1000")).max_points == 5000


@pytest.mark.django_db
def test_no_rule_means_points_are_not_money(org, member, give_points):
    MemberTypeFactory(organization=org)
    with pytest.raises(DomainError) as info:
        points_discount_quote_for(member, bill_amount=Decimal("100"))
    assert info.value.code == E.NO_DISCOUNT_RULE


@pytest.mark.django_db
def test_pay_with_points_then_return_half_the_bill(org, branch, terminal, member, rule, give_points):
    # given 5,000 points and a 1,000-baht bill of two 500-baht items
    give_points(member, 5000, when=at(2026, 3, 1))
    actor = Actor.system("pos")
    # when the cashier applies the quoted maximum, 2,500 points = 250 baht
    result = points_discount_apply(
        organization=org, branch=branch, terminal=terminal, receipt_id="B1-0042", basket=_basket("500", "500"),
        member=member, points=2500, actor=actor,
    )
    sale = result.sale
    # then exactly 2,500 points are spent and the sale shows a 250-baht points discount
    assert (sale.points_used, sale.points_discount, sale.net) == (2500, Decimal("250.00"), Decimal("750.00"))
    # and the 750 baht actually paid earns 7 points (100 THB = 1 pt)
    assert result.points_earned == 7
    assert balance(member) == 2500 + 7
    before = balance(member)
    # when one of the two items comes back
    ret = sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-1")
    # then half the points paid with come back (1,250), once: replaying the same return changes nothing
    assert ret.points_refunded == 1250
    again = sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-1")
    assert again.pk == ret.pk
    assert balance(member) == before + 1250 - ret.points_reversed
    # and voiding the rest gives the other 1,250 back
    sale_void(sale=Sale.objects.get(pk=sale.pk), reason="ลูกค้ายกเลิก", actor=actor)
    refunds = Entry.objects.filter(sale=sale, sign=1).exclude(kind=Entry.Kind.EARN)
    assert sum(e.amount for e in refunds) == 2500


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("points", "code"),
    [(50, E.BELOW_MINIMUM_POINTS), (2600, E.OVER_POINTS_CAP), (6000, E.INSUFFICIENT_POINTS)],
)
def test_apply_refusals_change_nothing(org, branch, terminal, member, rule, give_points, points, code):
    give_points(member, 5000)
    with pytest.raises(DomainError) as info:
        points_discount_apply(
            organization=org, branch=branch, terminal=terminal, receipt_id="B1-0043",
            basket=_basket("1000"), member=member, points=points, actor=Actor.system(),
        )
    assert info.value.code == code
    assert balance(member) == 5000
    assert not Sale.objects.exists()


@pytest.mark.django_db
def test_bill_cap_applies_at_commit(org, branch, terminal, member, rule, give_points):
    give_points(member, 5000)
    with pytest.raises(DomainError) as info:
        points_discount_apply(
            organization=org, branch=branch, terminal=terminal, receipt_id="B1-0044",
            basket=_basket("400"), member=member, points=1210, actor=Actor.system(),
        )
    assert info.value.code == E.OVER_POINTS_CAP
