"""A spend ladder's thresholds typed in the shop's display unit: a toman shop writes ``20,000``
and 200,000 rial is stored (the spend measured is the sales' net, in rial); the ladder shows
``20000`` back; finer than a rial is refused naming the line; a points ladder stays points and a
THB shop is unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.organizations.models import Role
from sasom.tiers.models import Tier, TierLadder

pytestmark = pytest.mark.django_db

FORM = {"name": "Club", "is_active": "on", "basis": "spend", "window_months": "12", "downgrade": "cutoff",
        "cutoff_frequency": "quarterly", "drop_mode": "to_reached", "benefits_mode": "stack"}


def tiers_box(client) -> str:
    page = client.get(reverse("ledger:tiers")).content.decode()
    start = page.index('name="tiers"')
    return page[page.index(">", start) + 1:page.index("</textarea>", start)].strip()


def test_a_toman_spend_ladder_is_stored_in_rial_and_shown_in_toman(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("ledger:tiers"), {**FORM, "tiers": "BASIC, Basic, 0\nGOLD; Gold; 20,000; 12\n"
                                                                        "PLAT, Platinum, 123456.7"})
    assert response.status_code == 302, response.context["form"].errors
    assert list(Tier.objects.filter(organization=toman_org).values_list("code", "threshold", "validity_months")) == [
        ("BASIC", 0, None), ("GOLD", 200000, 12), ("PLAT", 1234567, None)]
    assert [line.split(", ")[2] for line in tiers_box(client).splitlines()] == ["0", "20000", "123456.7"]
    # and the ladder's table reads in toman too
    page = client.get(reverse("ledger:tiers")).content.decode()
    assert '<td class="num">20,000</td>' in page and '<td class="num">123,456.7</td>' in page


def test_a_too_fine_threshold_is_refused_naming_its_line(toman_org, staff_client):
    response = staff_client(Role.ADMIN).post(reverse("ledger:tiers"), {**FORM, "tiers": "BASIC, Basic, 0\n"
                                                                                         "GOLD, Gold, 20000.05"})
    error = response.context["form"].errors.as_data()["tiers"][0]
    assert response.status_code == 200 and error.code == "too_fine" and error.params["n"] == 2
    assert not TierLadder.objects.exists()


def test_a_points_ladder_stays_in_points_in_a_toman_shop(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("ledger:tiers"), {**FORM, "basis": "points", "tiers": "BASIC, Basic, 500\nGOLD, Gold, 1000"})
    assert response.status_code == 302
    assert list(Tier.objects.values_list("threshold", flat=True)) == [500, 1000]
    assert [line.split(", ")[2] for line in tiers_box(client).splitlines()] == ["500", "1000"]


def test_a_thb_spend_ladder_is_unchanged(org, staff_client):
    client = staff_client(Role.ADMIN)
    assert client.post(reverse("ledger:tiers"), {**FORM, "tiers": "BASIC, Basic, 500\nGOLD; Gold; 20,000"}
                       ).status_code == 302
    assert list(Tier.objects.values_list("threshold", flat=True)) == [500, 20000]
    assert [line.split(", ")[2] for line in tiers_box(client).splitlines()] == ["500", "20000"]
    response = client.post(reverse("ledger:tiers"), {**FORM, "tiers": "BASIC, Basic, 500.50"})
    assert response.status_code == 200 and "tiers" in response.context["form"].errors
