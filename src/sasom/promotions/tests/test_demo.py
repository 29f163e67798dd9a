"""The demo promotions: made on the demo catalog, active, priced as their names say, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.catalog.demo import make_demo_catalog
from sasom.promotions.demo import DEMO_PROMOTIONS, make_demo_promotions
from sasom.promotions.models import Promotion, Status
from sasom.promotions.preview import basket_preview

pytestmark = pytest.mark.django_db


def test_the_demo_promotions_are_made_once_and_do_what_their_names_say(org):
    make_demo_catalog(org)
    made = make_demo_promotions(org)
    assert sorted(p.code for p in made) == sorted(d["code"] for d in DEMO_PROMOTIONS)
    assert all(p.status == Status.ACTIVE for p in made)
    assert make_demo_promotions(org) == [] and Promotion.objects.filter(organization=org).count() == len(made)
    # 3 Coke cans at 17: one free
    coke = basket_preview(organization_id=org.pk, lines=[("COKE-325", "3")])
    assert [a.code for a in coke.result.applied] == ["COKE-B2G1"] and coke.discount == Decimal("17.00")
    # 3 bags of Lay's (20 each) for 50
    lays = basket_preview(organization_id=org.pk, lines=[("LAYS-CLASSIC", "2"), ("LAYS-NORI", "1")])
    assert lays.net == Decimal("50.00")
    # 2 Pantene bottles, 318 THB: half off
    pantene = basket_preview(organization_id=org.pk, lines=[("PANTENE-SH-410", "1"), ("PANTENE-CO-410", "1")])
    assert "PANTENE-295" in [a.code for a in pantene.result.applied] and pantene.discount >= Decimal("159.00")


def test_a_promotion_whose_products_are_missing_is_skipped(org):
    # no demo catalog: only the shampoo the promotions demo adds itself exists
    made = make_demo_promotions(org)
    assert [p.code for p in made] == ["PANTENE-295"]
