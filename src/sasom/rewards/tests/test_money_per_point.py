"""Points as payment priced as money per point: "1 point = 10 rial", "100 points = 1,000 toman"
are stored exactly (points and the money they are worth) and priced without loss; THB unchanged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role
from sasom.rewards import errors as E
from sasom.rewards.models import PointsDiscountRule
from sasom.rewards.pricing import (
    DiscountRuleData,
    points_discount_quote,
    points_for_money,
    points_to_money,
)
from sasom.rewards.services import points_discount_rule_save

V1 = "/api/v1"


# --- the arithmetic (pure) ----------------------------------------------------------------------

def test_one_point_is_ten_rial():
    # given 1 point = 10 rial, 30 % of a bill of 1,234,567 rial, 1,000,000 points spendable
    rule = DiscountRuleData(points_per_unit=1, per_amount=Decimal("10"), places=0, max_bill_percent=Decimal("30"))
    quote = points_discount_quote(bill_amount=Decimal("1234567"), rule=rule, spendable=1_000_000)
    # then 370,370.1 rial allow 37,037 points, worth exactly 370,370 rial
    assert (quote.max_points, quote.max_amount) == (37037, Decimal("370370"))
    assert points_to_money(7, 1, 0, per_amount=Decimal("10")) == Decimal("70")
    assert points_for_money(Decimal("75"), 1, per_amount=Decimal("10")) == 8  # the fewest that cover it


def test_a_hundred_points_are_a_thousand_toman():
    # given 100 points = 1,000 toman = 10,000 rial, 5,000 points spendable on a large bill
    rule = DiscountRuleData(points_per_unit=100, per_amount=Decimal("10000"), places=0)
    quote = points_discount_quote(bill_amount=Decimal("12345670"), rule=rule, spendable=5000)
    # then 5,000 points pay 500,000 rial (50,000 toman); 150 points 15,000 rial
    assert (quote.max_points, quote.max_amount) == (5000, Decimal("500000"))
    assert points_to_money(150, 100, 0, per_amount=Decimal("10000")) == Decimal("15000")
    # 3 points are worth 300 rial; 1 point 100 rial: never a fraction of a rial
    assert points_to_money(3, 100, 0, per_amount=Decimal("10000")) == Decimal("300")


def test_a_bill_smaller_than_a_point_takes_no_points():
    rule = DiscountRuleData(points_per_unit=1, per_amount=Decimal("10"), places=0)
    quote = points_discount_quote(bill_amount=Decimal("9"), rule=rule, spendable=100)
    assert (quote.max_points, quote.max_amount) == (0, Decimal("0"))


def test_thb_money_per_point_and_the_old_points_per_baht_agree():
    # 1 point = 0.10 baht is the same rate as 10 points = 1 baht: the same quote
    per_point = DiscountRuleData(points_per_unit=1, per_amount=Decimal("0.10"), max_bill_percent=Decimal("30"),
                                 max_balance_percent=Decimal("50"))
    per_baht = DiscountRuleData(points_per_unit=10, max_bill_percent=Decimal("30"), max_balance_percent=Decimal("50"))
    for rule in (per_point, per_baht):
        quote = points_discount_quote(bill_amount=Decimal("1000.00"), rule=rule, spendable=5000)
        assert (quote.max_points, quote.max_amount) == (2500, Decimal("250.00"))
    # a rate that is no whole number of satang per point: 3 points = 1 baht, 0.35 baht per point
    assert points_to_money(1000, 3, 2) == Decimal("333.33")
    assert points_to_money(7, 1, 2, per_amount=Decimal("0.35")) == Decimal("2.45")


# --- the service, the form and the API (database) -------------------------------------------------

@pytest.mark.django_db
def test_money_per_point_is_stored_as_one_point_and_its_money(toman_org):
    rule = points_discount_rule_save(organization=toman_org, actor=Actor.system(),
                                     data={"member_type": None, "money_per_point": "10"})
    rule.refresh_from_db()
    assert (rule.points_per_unit, rule.per_amount) == (1, Decimal("10"))


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field"), [
    ({"money_per_point": "10.5"}, "money_per_point"),  # finer than a rial
    ({"money_per_point": "0"}, "money_per_point"),
    ({"points_per_unit": 100, "per_amount": "-1"}, "per_amount"),
    ({"points_per_unit": 100, "money_per_point": "10"}, "money_per_point"),  # both ways at once
])
def test_a_rate_the_currency_cannot_hold_is_refused_on_its_field(toman_org, data, field):
    with pytest.raises(DomainError) as refused:
        points_discount_rule_save(organization=toman_org, actor=Actor.system(), data={"member_type": None, **data})
    assert (refused.value.code, refused.value.field) == (E.VALUE_INVALID, field)
    assert not PointsDiscountRule.objects.exists()


@pytest.mark.django_db
def test_a_toman_org_types_100_points_are_1000_toman_and_sees_it_back(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    # when the rule is typed: 100 points are worth 1,000 toman
    response = client.post(reverse("rewards:settings"), {
        "form": "rule", "points_per_unit": "100", "per_amount": "1,000", "min_points": "0",
        "max_bill_percent": "100", "max_balance_percent": "100", "is_active": "on"})
    assert response.status_code == 302
    # then 10,000 rial are stored, and the edit shows 1000 toman again
    rule = PointsDiscountRule.objects.get(organization=toman_org)
    assert (rule.points_per_unit, rule.per_amount) == (100, Decimal("10000"))
    page = client.get(reverse("rewards:settings"), {"rule": rule.pk}).content.decode()
    assert 'name="per_amount" value="1000"' in page
    # and a rate finer than a rial is refused on its field, the rule unchanged
    response = client.post(reverse("rewards:settings"), {
        "form": "rule", "rule": rule.pk, "points_per_unit": "100", "per_amount": "1000.05", "min_points": "0",
        "max_bill_percent": "100", "max_balance_percent": "100", "is_active": "on"})
    assert response.status_code == 200 and response.context["rule_form"].errors["per_amount"]
    rule.refresh_from_db()
    assert rule.per_amount == Decimal("10000")


@pytest.mark.django_db
def test_a_thb_shop_types_baht_per_point_as_before(org, staff_client):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("rewards:settings"), {
        "form": "rule", "points_per_unit": "1", "per_amount": "0.25", "min_points": "0",
        "max_bill_percent": "100", "max_balance_percent": "100", "is_active": "on"})
    assert response.status_code == 302
    rule = PointsDiscountRule.objects.get(organization=org)
    assert (rule.points_per_unit, rule.per_amount) == (1, Decimal("0.25"))
    assert 'value="0.25"' in client.get(reverse("rewards:settings"), {"rule": rule.pk}).content.decode()


@pytest.mark.django_db
def test_the_api_takes_money_per_point_and_answers_the_rate_in_rial(toman_org):
    issued = api_key_create(organization_id=toman_org.id, label="marketing tool", actor=Actor.system(),
                            can_manage=True, rate_limit_per_minute=100000)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    response = client.put(f"{V1}/points-discount/rules", data=json.dumps({"rules": [{"money_per_point": "10"}]}),
                          content_type="application/json")
    assert response.status_code == 200, response.content
    rule = response.json()["rules"][0]
    assert (rule["points_per_unit"], rule["per_amount"]) == (1, "10.00")
    bad = client.put(f"{V1}/points-discount/rules", data=json.dumps({"rules": [{"money_per_point": "10.5"}]}),
                     content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == E.VALUE_INVALID
