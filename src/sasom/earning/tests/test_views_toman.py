"""A toman shop types its rule amounts in toman: "20,000 toman = 1 point" is stored as 200,000 rial."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.earning.models import EarnRule
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


def post_base(client, per_amount, code="TOMAN"):
    return client.post(reverse("earning:rule_create"), {
        "code": code, "name": "20,000 toman = 1 pt", "kind": "base", "priority": "0", "is_active": "on",
        "p-per_amount": per_amount, "p-points": "1",
    })


def test_20000_toman_is_stored_as_200000_rial_and_shown_back_in_toman(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    assert post_base(client, "20000").status_code == 302
    rule = EarnRule.objects.get(organization=toman_org, code="TOMAN")
    assert rule.params["per_amount"] == "200000"
    page = client.get(reverse("earning:rule_edit", args=[rule.pk])).content.decode()
    assert 'value="20000"' in page


def test_one_decimal_of_a_toman_is_a_whole_rial(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    assert post_base(client, "12345.6").status_code == 302
    assert EarnRule.objects.get(organization=toman_org, code="TOMAN").params["per_amount"] == "123456"


def test_finer_than_a_rial_is_refused_on_its_field(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    response = post_base(client, "12345.67")
    assert response.status_code == 200
    assert response.context["params_form"].errors["per_amount"]
    assert not EarnRule.objects.filter(organization=toman_org, code="TOMAN").exists()
