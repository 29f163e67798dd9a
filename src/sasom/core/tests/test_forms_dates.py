"""Date fields read and show the organization's calendar: a Jalali shop types 1370/12/30, a Thai
shop keeps its date picker and B.E. years; impossible days are refused on their field."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from sasom.core.calendars import JALALI, from_calendar
from sasom.core.forms_dates import ShopDateField, calendar_activate, calendar_deactivate
from sasom.members.models import Member
from sasom.organizations.models import Role


class DayForm(forms.Form):
    day = ShopDateField(required=False)


@pytest.fixture
def jalali():
    token = calendar_activate(JALALI)
    yield
    calendar_deactivate(token)


def test_a_jalali_shop_types_and_reads_jalali_days(jalali):
    form = DayForm({"day": "۱۴۰۳/۱۲/۳۰"})
    assert form.is_valid() and form.cleaned_data["day"] == dt.date(2025, 3, 20)
    html = str(DayForm(initial={"day": dt.date(2026, 11, 28)})["day"])
    assert 'type="text"' in html and 'value="1405/09/07"' in html
    bad = DayForm({"day": "1404/12/30"})
    assert not bad.is_valid() and "1405/09/07" in bad.errors["day"][0]


def test_other_shops_keep_the_date_picker_and_read_iso_and_thai_days():
    html = str(DayForm(initial={"day": dt.date(2026, 11, 28)})["day"])
    assert 'type="date"' in html and 'value="2026-11-28"' in html
    assert DayForm({"day": "28/11/2569"}).is_valid()
    assert DayForm({"day": "2026-11-28"}).is_valid()
    assert not DayForm({"day": "2026-02-30"}).is_valid()


@pytest.mark.django_db
def test_registering_a_member_born_on_esfand_30_in_a_jalali_shop(staff_client, org, member_type):
    # given a Jalali shop
    org.calendar = "jalali"
    org.save(update_fields=["calendar"])
    client = staff_client(Role.SERVICE_COUNTER)
    # when the counter types the birthday in the shop's calendar
    form_page = client.get(reverse("members:create")).content.decode()
    assert 'placeholder="1405/01/31"' in form_page
    response = client.post(reverse("members:create"), {"phone": "0811111111", "first_name": "Sara",
                                                       "birth_on": "1370/12/30"})
    # then the member is stored with the Gregorian day, and their file shows it in Jalali
    assert response.status_code == 302
    member = Member.objects.get(first_name="Sara")
    assert member.birth_on == from_calendar(1370, 12, 30, JALALI) == dt.date(1992, 3, 20)
    edit = client.get(reverse("members:edit", kwargs={"pk": member.pk})).content.decode()
    assert 'value="1370/12/30"' in edit
    # and a day the year lacks is refused on its field
    response = client.post(reverse("members:create"), {"phone": "0822222222", "first_name": "Nima",
                                                       "birth_on": "1371/12/30"})
    assert response.status_code == 400 and "birth_on" in response.context["form"].errors
