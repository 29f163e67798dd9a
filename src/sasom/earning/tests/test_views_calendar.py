"""Earning campaigns and rules take their validity in the shop's calendar and zone: a Tehran shop
on the Jalali calendar types 1405/12/29 18:00 (the last evening of a common year's Esfand)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from sasom.earning.models import Campaign
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


@pytest.fixture
def tehran(org):
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    return org


def post_campaign(client, **dates):
    data = {"code": "ESF", "name": "Esfand", "priority": "0", "is_active": "on", "bag_percent": "0",
            "bag_points": "0", "donation_per_bag": "0", "extra_discount": "0"} | dates
    return client.post(reverse("earning:campaign_create"), data)


def test_a_jalali_shops_campaign_runs_on_its_own_calendar_and_clock(staff_client, tehran):
    client = staff_client(Role.ADMIN)
    # the form offers a text box for Jalali moments
    assert 'placeholder="1405/01/31 14:30"' in client.get(reverse("earning:campaign_create")).content.decode()
    # when the campaign runs from 1405/12/01 to Nowruz 1406 (Esfand 1405 has 29 days)
    response = post_campaign(client, valid_from="1405/12/01 00:00", valid_to="1406/01/01 00:00")
    assert response.status_code == 302
    campaign = Campaign.objects.get(organization=tehran)
    # then it is 20 February to 21 March 2027, Tehran time
    assert campaign.valid_from == dt.datetime(2027, 2, 20, tzinfo=TEHRAN)
    assert campaign.valid_to == dt.datetime(2027, 3, 21, tzinfo=TEHRAN)
    assert "1405/12/01 00:00" in client.get(reverse("earning:campaigns")).content.decode()
    edit = client.get(reverse("earning:campaign_edit", args=[campaign.pk])).content.decode()
    assert 'value="1406/01/01 00:00"' in edit


def test_esfand_30_1405_does_not_exist(staff_client, tehran):
    response = post_campaign(staff_client(Role.ADMIN), valid_to="1405/12/30 00:00")
    assert not Campaign.objects.exists()
    assert [e.code for e in response.context["form"].errors.as_data()["valid_to"]] == ["no_such_day"]
