"""A toman shop's till shows its promotions' texts in toman; the sale it posts keeps them in rial,
as the API does (docs/decisions/0009-currency.md, "Explanations: stored in the currency, shown in
the display unit"). The shop: chips at 400,000 rial (40,000 toman); 100,000 rial off the chips
once they reach 1,000,000 rial."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from sasom.checkout.promo_texts import reason_shown
from sasom.checkout.till import SESSION_KEY
from sasom.ledger.models import Sale
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


def has(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.,]){number}(?![\d.,])", text) is not None


def test_the_till_shows_the_hint_and_the_explanation_in_toman_and_the_sale_keeps_rial(staff_client, toman_shop):
    cashier = staff_client(Role.CASHIER)
    with translation.override("en"):
        # given one bag on the bill: 600,000 rial short of the deal
        page = cashier.post(reverse("checkout:till_scan"), {"code": "CHIPS"}, **HX)
        hint = page.content.decode()
        # then the hint reads toman, the unit named: spend 60000 toman more for 10000 toman off
        assert "spend 60000 toman more for 10000 toman off the group" in hint, hint
        assert not has("600000", hint) and not has("100000", hint)
        # when three bags reach the deal, the line's step reads toman too
        cashier.post(reverse("checkout:till_scan"), {"code": "CHIPS"}, **HX)
        page = cashier.post(reverse("checkout:till_scan"), {"code": "CHIPS"}, **HX).content.decode()
        assert "120000 toman of the group reached 100000 toman: 10000 toman off the group" in page, page
        # and the line's discount is toman as well: 100,000 rial off reads −10,000
        assert '<span class="num">\u221210,000</span>' in page and "100,000.00" not in page
        # and when the bill is posted
        posted = cashier.post(reverse("checkout:till_commit"), {"token": cashier.session[SESSION_KEY]["token"]})
    assert posted.status_code in (200, 302), posted.content
    sale = Sale.objects.get(organization=toman_shop)
    reasons = [reason for _no, kind, _amount, reason in sale.explanation["pricing"] if kind == "promotion:OFF"]
    # then the stored reason keeps rial, the currency's unit, whatever the screen showed (as data:
    # each reading writes it in its reader's language and unit, test_promotions_reasons.py)
    assert reasons and not has("120000", reasons[0]) and not has("10000", reasons[0]), reasons
    with translation.override("en"):  # read outside a screen (the API): the rial it keeps
        assert reason_shown(reasons[0]) == "Chips deal: 1200000 of the group reached 1000000: 100000 off the group (3 units)"
