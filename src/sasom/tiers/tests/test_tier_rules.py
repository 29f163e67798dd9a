"""A rule limited to a tier fires on real sales for members of that tier (issue 13's refusal is
gone), and a rule can name only tiers of the organization's ladder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.core.errors import DomainError
from sasom.earning.errors import UNKNOWN_CODE
from sasom.earning.models import EarnRule
from sasom.earning.services import rule_create
from sasom.organizations.models import Role

from .conftest import at

pytestmark = pytest.mark.django_db


def test_a_gold_rule_fires_once_the_member_is_gold(ladder, sell, member, org, actor):
    # given a ladder and a rule "+50 points on every bill, Gold members only"
    ladder(window_months=12)
    rule_create(organization_id=org.pk, actor=actor, code="GOLD50", name="Gold +50", kind="threshold",
                tiers=["GOLD"], params={"min_amount": "1", "points": 50})
    # when the member earns 1,000 points (becoming Gold on that sale: the rule sees the tier the
    # member had when the sale began)
    first = sell(member, 1000, when=at(2026, 1, 10)).sale
    assert first.points_earned == 1000
    # then the next sale, as a Gold member, gets the tier's extra
    second = sell(member, 100, when=at(2026, 1, 11)).sale
    assert second.points_earned == 150


def test_a_rule_can_name_only_tiers_of_the_ladder(ladder, org, actor):
    ladder(window_months=12)
    with pytest.raises(DomainError) as err:
        rule_create(organization_id=org.pk, actor=actor, code="X", name="X", kind="threshold", tiers=["DIAMOND"],
                    params={"min_amount": "1", "points": 5})
    assert (err.value.code, err.value.field) == (UNKNOWN_CODE, "tiers")
    assert not EarnRule.objects.filter(code="X").exists()


def test_the_rule_form_accepts_a_known_tier_and_refuses_an_unknown_one(ladder, staff_client, org, member_type):
    ladder(window_months=12)
    client = staff_client(Role.ADMIN)
    form = {"code": "GOLDX", "name": "Gold extra", "kind": "base", "priority": "0", "is_active": "on",
            "p-per_amount": "25", "p-points": "1"}
    response = client.post(reverse("earning:rule_create"), {**form, "tiers": "DIAMOND"})
    assert response.status_code == 200 and "tiers" in response.context["form"].errors
    response = client.post(reverse("earning:rule_create"), {**form, "tiers": "GOLD"})
    assert response.status_code == 302
    assert EarnRule.objects.get(code="GOLDX").tiers == ["GOLD"]
