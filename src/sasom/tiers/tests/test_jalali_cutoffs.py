"""Tier windows and cut-offs in a Jalali shop (issue 18): months, quarters and the year are the
Jalali calendar's when the shop's periods follow it (both databases)."""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest

from sasom.ledger.services.tiering import tiers_cutoff_run
from sasom.ledger.tier_card import next_cutoff
from sasom.tiers import engine
from sasom.tiers.models import MemberTier
from sasom.tiers.selectors import ladder_for

from .conftest import at

pytestmark = pytest.mark.django_db


def jalali(y: int, m: int, d: int) -> dt.date:
    return jdatetime.date(y, m, d).togregorian()


def tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row and row.tier else None


@pytest.fixture
def jalali_shop(org):
    org.calendar, org.periods_follow_calendar = "jalali", True
    org.save(update_fields=["calendar", "periods_follow_calendar"])
    return org


@pytest.mark.parametrize("frequency, day, expected", [
    ("monthly", jalali(1405, 1, 31), True),      # 31 Farvardin: a Jalali month's end
    ("monthly", dt.date(2026, 4, 30), False),    # 30 April: 10 Ordibehesht
    ("quarterly", jalali(1405, 3, 31), True),    # end of Khordad
    ("quarterly", dt.date(2026, 6, 30), False),  # 9 Tir
    ("half_yearly", jalali(1405, 6, 31), True),  # end of Shahrivar
    ("yearly", jalali(1403, 12, 30), True),      # Esfand 30 in the leap year 1403
    ("yearly", jalali(1404, 12, 29), True),      # Esfand 29 in 1404
    ("yearly", jalali(1404, 12, 28), False),
])
def test_cutoff_days_are_jalali_period_ends(frequency, day, expected):
    assert engine.is_cutoff(frequency, day, "jalali") is expected


def test_a_one_month_window_counts_back_a_jalali_month():
    # 31 Farvardin 1405 - 1 month: 29 Esfand 1404 (clamped, 1404 has no Esfand 30)
    assert engine.months_back(jalali(1405, 1, 31), 1, "jalali") == jalali(1404, 12, 29)
    assert engine.months_back(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)


def test_the_compiled_ladder_follows_the_shops_calendar(jalali_shop, ladder, org, settings):
    settings.TIERS_LADDER_TTL = 0  # every call compares the version (and the shop's zone and calendar)
    ladder(window_months=12, cutoff_frequency="yearly")
    assert ladder_for(org.pk).calendar == "jalali"
    # a shop that keeps Gregorian periods gets a Gregorian ladder, recompiled without a ladder change
    org.periods_follow_calendar = False
    org.save(update_fields=["periods_follow_calendar"])
    assert ladder_for(org.pk).calendar == "gregorian"


def test_a_gold_member_drops_at_the_end_of_esfand(jalali_shop, ladder, sell, member, org):
    # given a Jalali shop with a yearly cut-off on 12 months, and a member Gold in Farvardin 1404
    ladder(window_months=12, cutoff_frequency="yearly")
    first = jalali(1404, 1, 10)
    sell(member, 1000, when=at(first.year, first.month, first.day))
    assert tier(member) == "GOLD"
    # when 31 December 2025 passes (a Gregorian year end, 10 Dey 1404): nothing moves
    assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2025, 12, 31))["moved"] == 0
    # and at the end of Esfand 1404 (29 Esfand, 20 March 2026) the window 1 Farvardin 1404 - 29 Esfand
    # holds the 1,000 points: still Gold; a year later it holds none: the member drops
    assert tiers_cutoff_run(organization_id=org.pk, on_date=jalali(1404, 12, 29))["moved"] == 0
    assert tier(member) == "GOLD"
    assert tiers_cutoff_run(organization_id=org.pk, on_date=jalali(1405, 12, 29))["moved"] == 1
    assert tier(member) is None


def test_the_card_names_the_next_jalali_cutoff():
    assert next_cutoff("quarterly", jalali(1405, 2, 5), "jalali") == jalali(1405, 3, 31)
    assert next_cutoff("quarterly", dt.date(2026, 4, 25)) == dt.date(2026, 6, 30)
