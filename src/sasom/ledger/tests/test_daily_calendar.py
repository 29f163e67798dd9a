"""The day lists (sales of the day, redemptions of the day) take their day in the shop's calendar:
a Jalali shop types 1405/09/07 and reads it back so; ISO links (exports) keep working."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "param"), [("ledger:daily", "date"), ("rewards:today", "day")])
def test_a_jalali_shop_picks_the_day_in_its_calendar(staff_client, org, name, param):
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    client = staff_client(Role.ADMIN)
    response = client.get(reverse(name), {param: "۱۴۰۵/۰۹/۰۷"})
    assert response.status_code == 200 and response.context["day"] == dt.date(2026, 11, 28)
    html = response.content.decode()
    assert f'name="{param}"' in html and 'value="1405/09/07"' in html and 'type="text"' in html
    assert client.get(reverse(name), {param: "2026-11-28"}).context["day"] == dt.date(2026, 11, 28)
    # a day that does not exist is no error: the list shows today
    assert client.get(reverse(name), {param: "1404/12/30"}).status_code == 200


def test_a_thai_shop_keeps_its_date_picker(staff_client, org):
    response = staff_client(Role.ADMIN).get(reverse("ledger:daily"), {"date": "2026-11-28"})
    assert 'type="date"' in response.content.decode() and 'value="2026-11-28"' in response.content.decode()
    assert response.context["day"] == dt.date(2026, 11, 28)
