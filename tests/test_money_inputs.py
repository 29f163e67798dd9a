"""Every back-office input of an amount of money takes the shop's display unit: a toman shop types
20,000 and 200,000 rial is stored, an edit shows 20,000 back; a THB shop is unchanged; too many
decimals or a negative amount is refused on the field (docs/decisions/0009-currency.md)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.http import QueryDict

from sasom.catalog.forms import BulkForm, ProductForm
from sasom.catalog.views_prices import PriceForm
from sasom.catalog.views_prices import SettingsForm as PricingSettingsForm
from sasom.core.forms_money import ShopMoneyField, currency_of_shop
from sasom.earning.forms import KIND_FORMS, CampaignForm, PreviewForm
from sasom.ledger.forms import CounterSaleForm
from sasom.members.forms import LifecycleForm
from sasom.notifications.forms import ChannelConfigForm
from sasom.organizations.models import Terminal
from sasom.promotions.forms import param_fields, params_from_post
from sasom.rewards.forms import (
    CashierForm,
    CouponTemplateForm,
    DiscountRuleForm,
    RewardForm,
    RewardSettingsForm,
)
from sasom.segments.forms import SegmentForm

pytestmark = pytest.mark.django_db

TOMAN = SimpleNamespace(currency="IRR", amounts_in_toman=True)
THB = SimpleNamespace(currency="THB", amounts_in_toman=False)

Make = Callable[[Any], Any]


def _forms(org: Any) -> list[tuple[str, Make, str]]:
    """(name, a maker of the form given its data/initial keywords, the money field)."""
    oid = org.pk
    return [
        ("earning base rule", lambda kw: KIND_FORMS["base"](prefix="p", **kw), "per_amount"),
        ("earning threshold rule", lambda kw: KIND_FORMS["threshold"](prefix="p", **kw), "min_amount"),
        ("earning golden minute", lambda kw: KIND_FORMS["golden_minute"](prefix="p", **kw), "min_amount"),
        ("earning campaign donation", lambda kw: CampaignForm(**kw), "donation_per_bag"),
        ("earning campaign discount", lambda kw: CampaignForm(**kw), "extra_discount"),
        ("earning preview", lambda kw: PreviewForm(member_types=[], branches=[], **kw), "bill_discount"),
        ("product", lambda kw: ProductForm(organization_id=oid, **kw), "base_price"),
        ("price table price", lambda kw: PriceForm(organization_id=oid, **kw), "price"),
        ("member discount minimum bill", lambda kw: PricingSettingsForm(organization_id=oid, **kw),
         "member_discount_min_bill"),
        ("reward co-payment", lambda kw: RewardForm(organization=org, **kw), "cash_copay"),
        ("coupon amount", lambda kw: CouponTemplateForm(organization=org, **kw), "value"),
        ("coupon minimum spend", lambda kw: CouponTemplateForm(organization=org, **kw), "min_spend"),
        ("points as payment", lambda kw: DiscountRuleForm(organization=org, **kw), "per_amount"),
        ("price of a point", lambda kw: RewardSettingsForm(**kw), "point_price"),
        ("counter bill", lambda kw: CashierForm(terminals=Terminal.objects.none(), **kw), "bill_amount"),
        ("counter sale total", lambda kw: CounterSaleForm(**kw), "total"),
        ("counter sale discount", lambda kw: CounterSaleForm(**kw), "bill_discount"),
        ("lifecycle minimum purchases", lambda kw: LifecycleForm(organization=org, **kw), "min_purchases"),
        ("segment spent at least", lambda kw: SegmentForm(organization_id=oid, **kw), "spent_at_least"),
        ("SMS cost", lambda kw: ChannelConfigForm(gateway=SimpleNamespace(options=()), secrets_set=set(), **kw),
         "cost_per_segment"),
    ]


NAMES = [name for name, _make, _field in _forms(SimpleNamespace(pk=0))]


def _typed(shop: Any, make: Make, field: str, value: str) -> Any:
    key = make({}).add_prefix(field)  # the earning rule's parameters carry the prefix "p"
    with currency_of_shop(shop):
        form = make({"data": {key: value, "kind": "discount", "discount_kind": "amount"}})
        form.is_valid()
    return form


def _shown(shop: Any, make: Make, field: str, stored: Decimal) -> str:
    with currency_of_shop(shop):
        return str(make({"initial": {field: stored}})[field])


@pytest.mark.parametrize("name", NAMES)
def test_a_toman_shop_types_20000_and_200000_rial_is_stored_and_shown_back(org, name):
    _name, make, field = next(f for f in _forms(org) if f[0] == name)
    # every money input is the one money field
    assert isinstance(make({}).fields[field], ShopMoneyField)
    form = _typed(TOMAN, make, field, "20,000")
    assert field not in form.errors and form.cleaned_data[field] == Decimal("200000")
    assert 'value="20000"' in _shown(TOMAN, make, field, Decimal("200000"))


@pytest.mark.parametrize("name", NAMES)
def test_a_thb_shop_is_unchanged(org, name):
    _name, make, field = next(f for f in _forms(org) if f[0] == name)
    form = _typed(THB, make, field, "25.50")
    assert field not in form.errors and form.cleaned_data[field] == Decimal("25.50")
    assert 'value="25.50"' in _shown(THB, make, field, Decimal("25.50"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", ["12345.67", "-20000", "abc"])
def test_bad_amounts_are_refused_on_their_field(org, name, bad):
    _name, make, field = next(f for f in _forms(org) if f[0] == name)
    assert field in _typed(TOMAN, make, field, bad).errors


def test_a_percent_coupon_keeps_its_percent(org):
    with currency_of_shop(TOMAN):
        form = CouponTemplateForm({"kind": "discount", "discount_kind": "percent", "value": "12.5"}, organization=org)
        form.is_valid()
    assert "value" not in form.errors and form.cleaned_data["value"] == Decimal("12.5")


def test_a_bulk_price_is_typed_in_toman_and_a_percent_stays_a_percent(org):
    with currency_of_shop(TOMAN):
        price = BulkForm({"price_mode": "value", "price_amount": "20,000"}, organization_id=org.pk)
        percent = BulkForm({"price_mode": "percent", "price_amount": "5"}, organization_id=org.pk)
        assert price.is_valid() and percent.is_valid(), (price.errors, percent.errors)
    assert price.change().price_value == Decimal("200000") and percent.change().price_percent == Decimal("5")


def test_a_promotions_money_parameter_is_typed_in_toman_and_shown_back():
    post = QueryDict("p-threshold=20%2C000&p-amount=12345.67&p-scope=group")
    with currency_of_shop(TOMAN):
        params = params_from_post("value_discount", post)
        shown = {f.name: f.value for f in param_fields("value_discount", params)}
        stored = {f.name: f.value for f in param_fields("value_discount", {"threshold": "200000"})}
    # 20,000 toman is stored as 200,000 rial; finer than a rial is kept as typed for the service to refuse
    assert params["threshold"] == "200000" and params["amount"] == "12345.67"
    assert shown["threshold"] == "20000" and shown["amount"] == "12345.67" and stored["threshold"] == "20000"
    with currency_of_shop(THB):
        assert params_from_post("value_discount", post)["threshold"] == "20000"
