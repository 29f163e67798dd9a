"""Until tiers exist (issue 12), a rule cannot be limited to tiers: no member could ever have one,
so the rule would fire in the preview and never on a sale (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.earning.errors import TIERS_NOT_AVAILABLE
from sasom.earning.models import EarnRule
from sasom.organizations.models import Role

from .test_api import BASE_RULE, manager, post  # noqa: F401  (the API key fixture)

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_rule_limited_to_tiers(manager):  # noqa: F811
    # when a rule limited to the GOLD tier is created
    response = post(manager, "/api/v1/earning/rules", {**BASE_RULE, "tiers": ["GOLD"]})
    # then it is refused on the field, and no rule is stored
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (TIERS_NOT_AVAILABLE, "tiers")
    assert not EarnRule.objects.exists()


def test_the_form_refuses_a_rule_limited_to_tiers(staff_client, org, member_type):
    response = staff_client(Role.ADMIN).post(reverse("earning:rule_create"), {
        "code": "GOLDX", "name": "Gold extra", "kind": "base", "priority": "0", "is_active": "on",
        "tiers": "GOLD", "p-per_amount": "25", "p-points": "1",
    })
    assert response.status_code == 200
    assert "tiers" in response.context["form"].errors
    assert not EarnRule.objects.exists()
