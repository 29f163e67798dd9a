"""A Tehran shop's portal: expiry dates, history, coupon validity and the member's own dates are
written in the Jalali calendar, with Persian digits for a Persian reader when the shop chooses them
(Latin digits for other readers), times on the shop's clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from sasom.core.calendars import JALALI, display, persian_digits

from .test_pages import me, shop  # noqa: F401  (the shop's member, points, sale and coupons)

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


@pytest.fixture
def tehran(org):
    org.calendar, org.time_zone, org.persian_digits = "jalali", "Asia/Tehran", True
    org.save(update_fields=["calendar", "time_zone", "persian_digits"])
    return org


def jalali(day: dt.date) -> str:
    return display(day, JALALI)


def test_a_persian_reader_sees_jalali_dates_in_persian_digits(tehran, portal, member, shop, me):  # noqa: F811
    # given a Persian reader
    me.cookies["django_language"] = "fa"
    today = timezone.localdate(timezone=TEHRAN)
    expiry = jalali(timezone.localdate(timezone=TEHRAN) + dt.timedelta(days=30))
    # the home page: the points' expiry in Jalali, Persian digits
    home = me.get(portal.base).content.decode()
    assert persian_digits(expiry) in home and expiry not in home
    # the history: the sale's day and time on the Tehran clock
    history = me.get(f"{portal.base}points/").content.decode()
    assert persian_digits(jalali(today)) in history
    # the coupons: valid until, in Jalali
    coupons = me.get(f"{portal.base}coupons/").content.decode()
    with timezone.override(TEHRAN):  # its last day on the shop's clock, as the portal reads it (core.zones)
        last_day = shop["mine"].last_valid_on
    assert persian_digits(jalali(last_day)) in coupons
    # the member's own data: member since, in Jalali
    mine = me.get(f"{portal.base}me/").content.decode()
    assert persian_digits(jalali(member.joined_on)) in mine


def test_other_readers_of_a_jalali_shop_read_jalali_with_latin_digits(tehran, portal, member, shop, me):  # noqa: F811
    me.cookies["django_language"] = "en"
    expiry = jalali(timezone.localdate(timezone=TEHRAN) + dt.timedelta(days=30))
    home = me.get(portal.base).content.decode()
    assert expiry in home and persian_digits(expiry) not in home


def test_a_shop_without_persian_digits_writes_latin_digits_to_persian_readers(tehran, portal, member, shop, me):  # noqa: F811
    tehran.persian_digits = False
    tehran.save(update_fields=["persian_digits"])
    me.cookies["django_language"] = "fa"
    expiry = jalali(timezone.localdate(timezone=TEHRAN) + dt.timedelta(days=30))
    assert expiry in me.get(portal.base).content.decode()
