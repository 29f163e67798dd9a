"""A promotion's dates typed in the shop's calendar and on its wall clock: a Tehran shop on the
Jalali calendar types 1405/01/01 09:00 (Nowruz), a Thai shop a B.E. year or its picker's ISO, a
Gregorian shop ISO; each is stored as the same moment in the organization's zone and shown back
in its calendar (docs/user-guide.md, "Dates and calendars")."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.organizations.models import Role
from sasom.promotions.models import Promotion

pytestmark = pytest.mark.django_db

FORM = {"kind": "qty_free", "code": "NOWRUZ", "name": "Nowruz", "priority": "100",
        "item_skus": "COKE", "p-bands-0-from": "2", "p-bands-0-value": "1", "p-repeat": "on"}


def shop(org, calendar: str, zone: str) -> zoneinfo.ZoneInfo:
    org.calendar, org.time_zone = calendar, zone
    org.save(update_fields=["calendar", "time_zone"])
    return zoneinfo.ZoneInfo(zone)


@pytest.mark.parametrize(("calendar", "zone", "starts", "ends", "shown"), [
    ("jalali", "Asia/Tehran", "1405/01/01 09:00", "1405/01/14 00:00", "1405/01/01 09:00"),
    ("buddhist", "Asia/Bangkok", "21/03/2569 09:00", "2026-04-03T00:00", "21/03/2569 09:00"),
    ("gregorian", "Europe/Berlin", "2026-03-21T09:00", "2026-04-03T00:00", "2026-03-21 09:00"),
])
def test_a_promotion_runs_from_the_day_and_hour_the_shop_typed(staff_client, org, catalog, calendar, zone,
                                                              starts, ends, shown):
    # given a shop with its calendar and zone
    tz = shop(org, calendar, zone)
    client = staff_client(Role.MARKETING)
    client.cookies["django_language"] = "th"
    # when marketing types the dates in the shop's calendar
    response = client.post("/promotions/new/", FORM | {"starts_at": starts, "ends_at": ends})
    # then the promotion starts on 21 March 2026 at 09:00 on the shop's clock, ends before 3 April
    assert response.status_code == 302, response.context["form"].errors
    promo = Promotion.objects.get(organization=org)
    assert promo.starts_at == dt.datetime(2026, 3, 21, 9, 0, tzinfo=tz)
    assert promo.ends_at == dt.datetime(2026, 4, 3, 0, 0, tzinfo=tz)
    # and the list shows it in the shop's calendar, the edit form gives it back as typed
    assert shown in client.get("/promotions/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    edit = client.get(f"/promotions/{promo.pk}/edit/").content.decode()
    if calendar == "jalali":
        assert 'value="1405/01/01 09:00"' in edit
    else:
        assert 'type="datetime-local"' in edit and 'value="2026-03-21T09:00"' in edit


def test_esfand_30_of_a_common_year_is_refused_on_the_start_field(staff_client, org, catalog):
    shop(org, "jalali", "Asia/Tehran")
    client = staff_client(Role.MARKETING)
    response = client.post("/promotions/new/", FORM | {"starts_at": "1404/12/30 09:00"})
    assert not Promotion.objects.exists()
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["starts_at"]] == ["no_such_day"]
