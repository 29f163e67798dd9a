"""The birth-month report of a shop on the Jalali calendar: birth months and the six months before
them are Jalali months (the shop of conftest, today 15 November 2026 = 24 Aban 1405; Somchai born
3 November 1990 = 12 Aban 1369, Malee 20 December 1985 = 29 Azar 1364)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.calendars import GREGORIAN, JALALI, from_calendar
from sasom.organizations.models import Role
from sasom.reports.birthmonth import window
from sasom.reports.tests.test_points_reports import scope_of
from sasom.reports.tests.test_sales_analyses import rows_of

pytestmark = pytest.mark.django_db


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def test_the_window_is_six_jalali_months():
    today = dt.date(2026, 11, 15)
    assert window(12, today, JALALI) == (j(1405, 6, 1), j(1405, 11, 30))
    assert window(8, today, JALALI) == (j(1405, 2, 1), j(1405, 7, 30))
    assert window(1, today, JALALI) == (j(1405, 7, 1), j(1405, 12, 29))
    assert window(12, today, GREGORIAN) == (dt.date(2026, 6, 1), dt.date(2026, 11, 30))


def test_members_born_in_the_jalali_month(shop, make_staff):
    shop.malee.birth_on = dt.date(1985, 12, 20)
    shop.malee.save(update_fields=["birth_on"])
    shop.org.calendar = "jalali"
    shop.org.save(update_fields=["calendar"])
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    # Aban (8): Somchai, his bill of 5 October (13 Mehr) inside 1 Ordibehesht – 30 Mehr
    rows, totals = rows_of("birth-month-sales", scope_of(owner, birth_month=8))
    assert [(r["code"], r["amount"], r["points"]) for r in rows] == [("M0000001", Decimal("1500.00"), 15)]
    # next month by default, Azar (9): Malee, not Somchai
    rows, totals = rows_of("birth-month-sales", scope_of(owner))
    assert [r["code"] for r in rows] == ["M0000002"]
    # a Gregorian shop has nobody born in August
    shop.org.calendar = "buddhist"
    shop.org.save(update_fields=["calendar"])
    owner.organization.refresh_from_db()
    assert rows_of("birth-month-sales", scope_of(owner, birth_month=8))[0] == []
