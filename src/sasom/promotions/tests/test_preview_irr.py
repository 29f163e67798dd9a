""""Try a basket" in an IRR shop: the preview prices with the organization's currency places, so
discounts and totals are whole rial (docs/decisions/0009-currency.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from sasom.catalog.models import Product
from sasom.promotions.preview import basket_preview
from sasom.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SEVEN_PERCENT = {"code": "SEVEN", "name": "7 %", "kind": "value_discount", "item_skus": ["SAFFRON"],
                 "params": {"threshold": "1000", "percent": "7", "scope": "group"}}


def shop(currency: str, price: str, *, toman: bool = False):
    org = OrganizationFactory(currency=currency, amounts_in_toman=toman)
    Product.objects.create(organization=org, sku="SAFFRON", name_th="زعفران", base_price=Decimal(price))
    return org


def test_an_irr_shops_preview_is_whole_rial():
    # given an IRR shop selling saffron at 1,234,567 rial and a 7 % promotion tried as a draft
    org = shop("IRR", "1234567")
    # when a basket of one is tried
    with translation.override("en"):
        preview = basket_preview(organization_id=org.pk, lines=[("SAFFRON", "1")], draft=SEVEN_PERCENT,
                                 draft_only=True)
        said = str(preview.result.applied[0].explanation)
    # then 86,419.69 is rounded to the rial: 86,420, net 1,148,147, and no text has decimals
    line = preview.lines[0]
    assert line.promotion_discount == Decimal("86420") and line.net == Decimal("1148147")
    assert (preview.gross, preview.discount, preview.net) == (Decimal("1234567"), Decimal("86420"), Decimal("1148147"))
    assert "." not in said and "1000" in said


def test_a_thb_shops_preview_keeps_two_places():
    org = shop("THB", "1234567")
    preview = basket_preview(organization_id=org.pk, lines=[("SAFFRON", "1")], draft=SEVEN_PERCENT, draft_only=True)
    assert preview.discount == Decimal("86419.69") and preview.net == Decimal("1148147.31")
