"""Every number a back-office form takes has bounds: a 40-digit number is a form error, never a
500 from the database (issue 13: the points adjustment and a custom field's sort order)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import sasom
from sasom.core.bounded import BoundedForm, BoundedModelForm
from sasom.ledger.models import Entry
from sasom.members.models import CustomField
from sasom.organizations.models import Role

HUGE = "1" * 40


@pytest.mark.django_db
def test_a_forty_digit_points_adjustment_is_a_form_error(staff_client, member):
    # given the points adjustment form
    client = staff_client(Role.ADMIN)
    # when a 40-digit number is typed
    response = client.post(reverse("ledger:adjust", args=[member.pk]), {"points": HUGE, "reason": "typo"})
    # then the form says so, and nothing is stored
    assert response.status_code == 200
    assert "points" in response.context["form"].errors
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_a_forty_digit_custom_field_order_is_a_form_error(staff_client):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("members:field_create"),
                           {"key": "shoe", "label": "Shoe size", "kind": "text", "sort_order": HUGE})
    assert response.status_code == 400
    assert "sort_order" in response.context["form"].errors
    assert not CustomField.objects.exists()


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for app in pkgutil.iter_modules(sasom.__path__):
        try:
            module = importlib.import_module(f"sasom.{app.name}.forms")
        except ModuleNotFoundError:
            continue
        found += [c for _n, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, forms.BaseForm) and c.__module__ == module.__name__]
    return found


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_form_bounds_its_numbers(form_class):
    # every form of the project inherits the bounded base, which bounds every number field
    assert issubclass(form_class, BoundedForm | BoundedModelForm)


def test_the_base_bounds_a_number_field_that_has_none_and_keeps_narrower_bounds():
    class Sample(BoundedForm):
        points = forms.IntegerField()
        percent = forms.DecimalField(min_value=0, max_value=100, decimal_places=2)

    form = Sample({"points": HUGE, "percent": "50"})
    assert not form.is_valid() and "points" in form.errors
    assert (form.fields["percent"].min_value, form.fields["percent"].max_value) == (0, 100)
    assert Sample({"points": "-" + HUGE, "percent": "1"}).errors.keys() == {"points"}
