"""Moments typed in the shop's calendar and on its wall clock (``ShopDateTimeField``): a Tehran shop
types 1405/09/07 14:30, a Thai shop 2569 or its browser's ISO picker, a Gregorian shop ISO; each is
stored as an aware datetime in the organization's zone, and shown back as it was typed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django import forms

from sasom.core.calendars import BUDDHIST, GREGORIAN, JALALI
from sasom.core.forms_dates import ShopDateTimeField, calendar_activate, calendar_deactivate

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
UTC = dt.UTC


class WindowForm(forms.Form):
    starts_at = ShopDateTimeField(required=False)


@pytest.fixture
def shop():
    tokens = []

    def activate(calendar: str, zone: str) -> None:
        tokens.append(calendar_activate(calendar, zone))

    yield activate
    for token in reversed(tokens):
        calendar_deactivate(token)


def cleaned(value: str) -> dt.datetime:
    form = WindowForm({"starts_at": value})
    assert form.is_valid(), form.errors
    return form.cleaned_data["starts_at"]


def error(value: str) -> tuple[str, str]:
    form = WindowForm({"starts_at": value})
    assert not form.is_valid()
    return form.errors.as_data()["starts_at"][0].code, form.errors["starts_at"][0]


def test_a_jalali_shop_types_the_jalali_day_on_its_wall_clock(shop):
    # given a Tehran shop on the Jalali calendar
    shop(JALALI, "Asia/Tehran")
    # when the staff member types 7 Azar 1405, 14:30 (Latin or Persian digits)
    moment = cleaned("1405/09/07 14:30")
    # then it is 28 November 2026, 14:30 in Tehran (11:00 UTC), aware
    assert moment == dt.datetime(2026, 11, 28, 14, 30, tzinfo=TEHRAN)
    assert moment.astimezone(UTC) == dt.datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert cleaned("۱۴۰۵/۰۹/۰۷ ۱۴:۳۰") == moment
    # a day alone is its midnight; Nowruz 1405 is 21 March 2026
    assert cleaned("1405/01/01") == dt.datetime(2026, 3, 21, 0, 0, tzinfo=TEHRAN)
    # the browser's ISO value is understood too
    assert cleaned("2026-11-28T14:30") == moment


def test_esfand_30_of_a_common_year_is_refused_on_its_field(shop):
    shop(JALALI, "Asia/Tehran")
    # 1403 is a leap year: 30 Esfand exists (20 March 2025)
    assert cleaned("1403/12/30 09:00") == dt.datetime(2025, 3, 20, 9, 0, tzinfo=TEHRAN)
    # 1404 is common: there is no 30 Esfand, and the message says so
    code, message = error("1404/12/30 09:00")
    assert code == "no_such_day" and "1404/12/30" in message
    # text that is not a date at all gets the example in the shop's calendar
    code, message = error("tomorrow noon")
    assert code == "invalid" and "1405/09/07 14:30" in message
    # an impossible time is refused too
    assert error("1405/09/07 25:10")[0] == "invalid"


def test_a_jalali_shop_sees_its_stored_moment_back_in_jalali_on_its_clock(shop):
    shop(JALALI, "Asia/Tehran")
    stored = dt.datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    html = str(WindowForm(initial={"starts_at": stored})["starts_at"])
    assert 'type="text"' in html and 'value="1405/09/07 14:30"' in html
    # and a redisplayed wrong entry keeps what was typed
    assert 'value="1404/12/30 09:00"' in str(WindowForm({"starts_at": "1404/12/30 09:00"})["starts_at"])


def test_a_buddhist_era_shop_keeps_the_picker_and_reads_be_years(shop):
    # given a Bangkok shop writing Buddhist-era years
    shop(BUDDHIST, "Asia/Bangkok")
    # when the picker sends ISO, or the staff member types a B.E. year
    picked = cleaned("2026-11-28T14:30")
    typed = cleaned("28/11/2569 14:30")
    # then both are 14:30 in Bangkok (07:30 UTC)
    assert picked == typed == dt.datetime(2026, 11, 28, 14, 30, tzinfo=BANGKOK)
    assert picked.astimezone(UTC).hour == 7
    html = str(WindowForm(initial={"starts_at": dt.datetime(2026, 11, 28, 7, 30, tzinfo=UTC)})["starts_at"])
    assert 'type="datetime-local"' in html and 'value="2026-11-28T14:30"' in html
    # 29 February 2569 B.E. (2026) does not exist
    assert error("29/02/2569 10:00")[0] == "no_such_day"


def test_a_gregorian_shop_reads_its_own_zone_not_the_servers(shop):
    # given a Gregorian shop in Tehran on a server set to Bangkok
    shop(GREGORIAN, "Asia/Tehran")
    moment = cleaned("2026-03-20T23:30")
    assert moment == dt.datetime(2026, 3, 20, 23, 30, tzinfo=TEHRAN)
    assert moment.astimezone(UTC) == dt.datetime(2026, 3, 20, 20, 0, tzinfo=UTC)
    assert error("2026-02-29T10:00")[0] == "no_such_day"
    # an empty optional field is None, not midnight
    form = WindowForm({"starts_at": ""})
    assert form.is_valid() and form.cleaned_data["starts_at"] is None


def test_without_an_organization_the_field_reads_iso_in_the_servers_zone():
    assert cleaned("2026-11-28T14:30") == dt.datetime(2026, 11, 28, 14, 30, tzinfo=BANGKOK)
