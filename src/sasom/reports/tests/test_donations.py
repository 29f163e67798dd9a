"""The donation fund report: per campaign, branch and day or month; totals = Σ Sale.donation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from sasom.ledger.models import Sale
from sasom.organizations.models import Role
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import BKK
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


def donations_of(org, start, end, branch=None):
    sales = Sale.objects.filter(
        organization=org, occurred_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=BKK),
        occurred_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BKK),
    ).exclude(status=Sale.Status.VOIDED)
    if branch:
        sales = sales.filter(branch=branch)
    return sum((s.donation for s in sales), Decimal("0"))


def test_a_non_members_declined_bag_records_its_campaign_on_the_sale(shop):
    sale = Sale.objects.get(organization=shop.org, receipt_id="R-007")
    assert sale.donation == Decimal("2.00")
    assert sale.explanation["campaigns"] == ["NOBAG"]
    assert sale.explanation["donation_campaigns"] == "NOBAG"
    # a member's sale names the campaign but gives nothing to its fund
    member_sale = Sale.objects.get(organization=shop.org, receipt_id="R-003")
    assert member_sale.donation == 0 and "donation_campaigns" not in member_sale.explanation


@pytest.mark.parametrize("which", ["all", "b1", "b2", "day"])
def test_donation_fund_totals_and_rows_reconcile_with_the_sales(shop, make_staff, which):
    owner = make_staff(Role.OWNER)
    branch = {"b1": shop.b1, "b2": shop.b2}.get(which)
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 15)
    extra = {"period": "day"} if which == "day" else {}
    scope = scope_of(owner, start=start, end=end, branch=branch, **extra)
    report = REPORTS["donation-fund"]
    expected = donations_of(shop.org, start, end, branch)
    totals = report.totals(scope)
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    assert totals["donation"] == sum(r["donation"] for r in rows) == expected
    assert totals["bills"] == sum(r["bills"] for r in rows)
    assert {r["campaign"] for r in rows} == {"NOBAG ไม่รับถุง"}
    assert {r["fund"] for r in rows} == {"กองทุนรักษ์โลก"}
    if which == "all":  # 23:59 on 31 October counts in October
        assert expected == Decimal("6.00")
        assert [(r["period"], r["branch__code"], r["bills"], r["donation"]) for r in rows] == [
            (dt.date(2026, 10, 1), "B1", 1, Decimal("2.00")), (dt.date(2026, 11, 1), "B1", 1, Decimal("2.00")),
            (dt.date(2026, 11, 1), "B2", 1, Decimal("2.00"))]
    if which == "day":
        assert [r["period"] for r in rows] == [dt.date(2026, 10, 31), dt.date(2026, 11, 4), dt.date(2026, 11, 5)]


def test_a_donation_without_its_campaign_recorded_still_counts(shop, make_staff):
    sale = Sale.objects.get(organization=shop.org, receipt_id="R-008")
    sale.explanation = {k: v for k, v in sale.explanation.items() if k not in ("campaigns", "donation_campaigns")}
    sale.save(update_fields=["explanation"])
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner, start=dt.date(2026, 11, 1))
    report = REPORTS["donation-fund"]
    with translation.override("th"):
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    assert sorted(r["campaign"] for r in rows) == sorted(["NOBAG ไม่รับถุง", "ไม่ได้บันทึก"])
    assert sum(r["donation"] for r in rows) == report.totals(scope)["donation"] == Decimal("4.00")


def test_the_donation_page_and_its_csv(shop, staff_client):
    client = staff_client(Role.OWNER)
    response = client.get("/reports/donation-fund/?date_from=2026-10-01&date_to=2026-11-15&period=day")
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    response = client.get("/reports/donation-fund/?date_from=2026-10-01&period=week")
    assert response.status_code == 200 and response.context["form"].errors
