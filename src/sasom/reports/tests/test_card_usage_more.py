"""Seed 003's card-usage reports: per card, overall, monthly frequency, frequency per month.

The shop's autumn (conftest) plus Somchai's 200 baht bill on 10 November at B1. By hand, the
members' bills of 1 October – 15 November (net of Somchai's 30,000 baht return):

    Somchai  B1  5 Oct 1,500 (15)   2 Nov 30,000 (300)   10 Nov 200 (2)
    Malee    B2  20 Oct 2,000 (20)  3 Nov 40,000 (400)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.organizations.models import Role, Terminal
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def more(shop):
    _sell(shop.org, Terminal.objects.get(code="B1-T1"), "R-011", "200.00", shop.somchai, at(2026, 11, 10))
    return shop


def rows_of(slug, scope, sort=""):
    report = REPORTS[slug]
    return report.finish(list(report.sorted_rows(scope, sort)), scope), report.totals(scope)


def test_usage_per_card(more, make_staff):
    rows, totals = rows_of("card-usage-by-card", scope_of(make_staff(Role.OWNER), start=dt.date(2026, 10, 1)), "code")
    assert [(r["code"], r["visits"], r["amount"], r["average"], r["points"]) for r in rows] == [
        ("M0000001", 3, Decimal("31700.00"), Decimal("10566.67"), 317),
        ("M0000002", 2, Decimal("42000.00"), Decimal("21000.00"), 420)]
    assert rows[0]["first_at"] == at(2026, 10, 5) and rows[0]["last_at"] == at(2026, 11, 10)
    assert (totals["visits"], totals["amount"], totals["points"]) == (5, Decimal("73700.00"), 737)


def test_usage_overall_per_month_and_per_day(more, make_staff):
    owner = make_staff(Role.OWNER)
    rows, totals = rows_of("card-usage-overall", scope_of(owner, start=dt.date(2026, 10, 1)))
    assert [(r["period"], r["members"], r["visits"], r["amount"], r["points"]) for r in rows] == [
        (dt.date(2026, 10, 1), 2, 2, Decimal("3500.00"), 35), (dt.date(2026, 11, 1), 2, 3, Decimal("70200.00"), 702)]
    assert (totals["members"], totals["visits"], totals["amount"]) == (2, 5, Decimal("73700.00"))
    days, _totals = rows_of("card-usage-overall", scope_of(owner, start=dt.date(2026, 11, 1), branch=more.b1, period="day"))
    assert [(r["period"], r["visits"], r["amount"]) for r in days] == [
        (dt.date(2026, 11, 2), 1, Decimal("30000.00")), (dt.date(2026, 11, 10), 1, Decimal("200.00"))]


def test_monthly_frequency_has_a_column_per_month(more, make_staff):
    report = REPORTS["monthly-frequency"]
    scope = scope_of(make_staff(Role.OWNER), start=dt.date(2026, 10, 1))
    assert [c.key for c in report.columns_of(scope)][3:6] == ["m0", "m1", "visits"]
    rows, totals = rows_of("monthly-frequency", scope, "code")
    assert [(r["code"], r["m0"], r["m1"], r["visits"], r["amount"]) for r in rows] == [
        ("M0000001", 1, 2, 3, Decimal("31700.00")), ("M0000002", 1, 1, 2, Decimal("42000.00"))]
    assert (totals["m0"], totals["m1"], totals["visits"]) == (2, 3, 5)


def test_frequency_per_month_in_bands_the_shop_chooses(more, make_staff):
    owner = make_staff(Role.OWNER)
    rows, totals = rows_of("frequency-per-period", scope_of(owner, start=dt.date(2026, 10, 1)))
    assert [(r["month"], r["band_label"], r["members"], r["visits"], r["amount"]) for r in rows] == [
        (dt.date(2026, 10, 1), "1", 2, 2, Decimal("3500.00")),
        (dt.date(2026, 11, 1), "1", 1, 1, Decimal("40000.00")),  # Malee
        (dt.date(2026, 11, 1), "2–3", 1, 2, Decimal("30200.00"))]  # Somchai
    assert sum(r["visits"] for r in rows) == totals["visits"] == 5
    assert sum(r["amount"] for r in rows) == totals["amount"]
    weeks, _t = rows_of("frequency-per-period", scope_of(owner, start=dt.date(2026, 11, 1), period="week"))
    assert [(r["month"], r["band_label"], r["members"], r["visits"], r["amount"]) for r in weeks] == [
        (dt.date(2026, 11, 1), "1", 2, 2, Decimal("70000.00")),  # a Thai shop's week of Sunday 1 November
        (dt.date(2026, 11, 8), "1", 1, 1, Decimal("200.00"))]
    wide, _t = rows_of("frequency-per-period", scope_of(owner, start=dt.date(2026, 11, 1), bands="1,3"))
    assert [(r["band_label"], r["members"]) for r in wide] == [("1–2", 2)]
    # over the whole period, with bands 1,3: Somchai came 3 times, Malee twice
    bands, _t = rows_of("visit-frequency", scope_of(owner, start=dt.date(2026, 10, 1), bands="1,3"))
    assert [(r["band_label"], r["members"], r["visits"]) for r in bands] == [("1–2", 1, 2), ("3+", 1, 3)]


def test_bands_are_checked_and_shown(more, staff_client):
    client = staff_client(Role.OWNER)
    bad = client.get("/reports/visit-frequency/?date_from=2026-10-01&bands=3,2")
    assert bad.status_code == 200 and "bands" in bad.context["form"].errors and "rows" not in bad.context
    # bands from 2 would leave the members who came once without a row: refused, on the field
    for slug in ("visit-frequency", "frequency-per-period"):
        above_one = client.get(f"/reports/{slug}/?date_from=2026-10-01&bands=2,4")
        assert above_one.status_code == 200 and "rows" not in above_one.context
        assert [e.code for e in above_one.context["form"].errors.as_data()["bands"]] == ["bands"]
    page = client.get("/reports/frequency-per-period/?date_from=2026-10-01&bands=1, 2,4")
    assert page.status_code == 200 and [row[1][0] for row in page.context["rows"]] == ["1", "1", "2–3"]
    assert b"<svg" in page.content
    weekly = client.get("/reports/frequency-per-period/?date_from=2026-11-01&period=week")
    assert weekly.status_code == 200 and len(weekly.context["rows"]) == 2 and b"<svg" in weekly.content
    csv = b"".join(client.get("/reports/monthly-frequency/?date_from=2026-10-01&format=csv").streaming_content)
    assert csv.decode("utf-8-sig").splitlines()[-1].split(",")[3:6] == ["2", "3", "5"]
