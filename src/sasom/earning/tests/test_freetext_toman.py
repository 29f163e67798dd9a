"""Amounts typed inside the earning rules' free text, in the shop's display unit: a toman shop's
spend steps and "try a basket" lines take toman (``20,000`` = 200,000 rial stored), an edit shows
toman back, an amount finer than a rial is refused on its field naming the line; THB unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sasom.core.forms_money import currency_of_shop
from sasom.earning.forms import PreviewForm
from sasom.earning.models import EarnRule
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


def post_spend(client, steps, code="STEPS"):
    return client.post(reverse("earning:rule_create"), {
        "code": code, "name": "Spend steps", "kind": "spend", "priority": "0", "is_active": "on", "p-steps": steps,
    })


def steps_box(page: str) -> str:
    start = page.index('name="p-steps"')
    return page[page.index(">", start) + 1:page.index("</textarea>", start)].strip()


def test_toman_spend_steps_are_stored_in_rial_and_shown_back_in_toman(toman_org, staff_client):
    client = staff_client(Role.ADMIN)
    response = post_spend(client, "20,000 multiply 2\n۵۰٬۰۰۰ fixed 100\n1234.5 extra_times 1")
    assert response.status_code == 302, response.context and response.context["params_form"].errors
    rule = EarnRule.objects.get(organization=toman_org, code="STEPS")
    assert [(Decimal(s["min_amount"]), s["mode"]) for s in rule.params["steps"]] == [
        (Decimal(12345), "extra_times"), (Decimal(200000), "multiply"), (Decimal(500000), "fixed")]
    page = client.get(reverse("earning:rule_edit", args=[rule.pk])).content.decode()
    assert steps_box(page).splitlines() == ["1234.5 extra_times 1", "20000 multiply 2", "50000 fixed 100"]


def test_a_step_finer_than_a_rial_is_refused_naming_its_line(toman_org, staff_client):
    response = post_spend(staff_client(Role.ADMIN), "20,000 multiply 2\n30000.25 multiply 3")
    assert response.status_code == 200
    error = response.context["params_form"].errors.as_data()["steps"][0]
    assert error.code == "too_fine" and error.params["n"] == 2
    assert not EarnRule.objects.filter(code="STEPS").exists()


def test_thb_spend_steps_are_unchanged(org, staff_client):
    client = staff_client(Role.ADMIN)
    assert post_spend(client, "2,000 multiply 2\n5000.50 fixed 100").status_code == 302
    rule = EarnRule.objects.get(organization=org, code="STEPS")
    assert [Decimal(s["min_amount"]) for s in rule.params["steps"]] == [Decimal(2000), Decimal("5000.50")]
    page = client.get(reverse("earning:rule_edit", args=[rule.pk])).content.decode()
    assert [line.split()[0] for line in steps_box(page).splitlines()] == [
        s["min_amount"] for s in rule.params["steps"]]
    response = post_spend(client, "2000.505 multiply 2", code="FINE")
    assert response.status_code == 200 and response.context["params_form"].errors["steps"]


def preview(organization, lines):
    data = {"lines": lines, "is_member": "on", "occurred_at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    with currency_of_shop(organization):
        form = PreviewForm(data, member_types=[], branches=[])
        form.is_valid()
    return form


def test_toman_basket_lines_take_toman(toman_org):
    form = preview(toman_org, "LIP01; BEAUTY; ; 2; 20,000; 1,000.5\nGUM, SNACK, , 1, 3000, 0")
    assert "lines" not in form.errors, form.errors
    assert [(r["unit_price"], r["discount"]) for r in form.cleaned_data["lines"]] == [
        (Decimal(200000), Decimal(10005)), (Decimal(30000), Decimal(0))]
    refused = preview(toman_org, "LIP01, BEAUTY, , 1, 500, 0\nGUM, SNACK, , 1, 20000.55, 0")
    error = refused.errors.as_data()["lines"][0]
    assert error.code == "too_fine" and error.params["n"] == 2 and "2" in refused.errors["lines"][0]


def test_thb_basket_lines_are_unchanged(org):
    form = preview(org, "LIP01, BEAUTY, , 1, 500.25, 0")
    assert form.cleaned_data["lines"][0]["unit_price"] == Decimal("500.25")
    assert "lines" in preview(org, "LIP01, BEAUTY, , 1, 500.255, 0").errors
    assert "lines" in preview(org, "LIP01, BEAUTY, , 1, abc, 0").errors
