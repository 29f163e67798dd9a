"""A spend ladder's measure in the shop's display unit wherever a member's tier is read: the member
file's tier panel and the receipt's "to the next tier" line say toman in a toman shop (the spend is
measured in rial: 80,000 rial spent is 8,000 toman), baht in a Thai shop; a points ladder stays
points."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sasom.checkout.receipts import Words, tier_lines
from sasom.core.audit import Actor
from sasom.ledger.tier_card import tier_card
from sasom.organizations.models import Role
from sasom.tiers.services import TierIn, ladder_configure

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def _spend_ladder(org, gold: int) -> None:
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Club", basis="spend",
                     tiers=[TierIn("BASIC", "Basic", 0), TierIn("GOLD", "Gold", gold)])


def test_a_toman_shops_tier_panel_and_receipt_speak_toman(toman_org, staff_client, sell, member):
    _spend_ladder(toman_org, 200000)  # Gold at 20,000 toman
    sell(member, 80000, when=timezone.now())
    client = staff_client(Role.CASHIER)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("ledger:member_points", args=[member.pk])).content.decode()
    assert "8,000 toman spent in the last 12 months" in html
    assert "12,000 more to Gold" in html
    assert "baht" not in html
    card = tier_card(organization_id=toman_org.pk, member_id=member.pk)
    assert card is not None and card.missing == 120000
    shop = SimpleNamespace(language="fa", currency="IRR", amounts_in_toman=True, persian_digits=False)
    with translation.override("fa"):
        text = "\n".join(tier_lines(card, words=Words(shop)))
    assert "12,000" in text and "تومان" in text and "120,000" not in text


def test_a_thai_shops_spend_panel_speaks_baht_and_a_points_ladder_points(org, staff_client, sell, member):
    _spend_ladder(org, 1000)
    sell(member, 400, when=timezone.now())
    client = staff_client(Role.CASHIER)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("ledger:member_points", args=[member.pk])).content.decode()
    assert "400.00 THB spent in the last 12 months" in html and "600.00 more to Gold" in html
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Club",
                     tiers=[TierIn("BASIC", "Basic", 0), TierIn("GOLD", "Gold", 1000)])
    html = client.get(reverse("ledger:member_points", args=[member.pk])).content.decode()
    assert "more to Gold" in html and "THB" not in html.split("more to Gold")[0].rsplit("<", 3)[-1]
