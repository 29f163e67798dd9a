"""Member lists: birthday month, join date, expiry, address; home-branch scope; exports need
members.export (personal data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from sasom.ledger.models import PointAccount
from sasom.organizations.models import Role
from sasom.reports.framework import REPORTS
from sasom.reports.tests.test_points_reports import sales_net, scope_of
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def codes(report, scope):
    return [r["code"] for r in report.finish(list(report.sorted_rows(scope, "")), scope)]


def test_birthday_join_and_expiry_lists(shop, make_staff):
    owner = make_staff(Role.OWNER)
    assert codes(REPORTS["members-birthday"], scope_of(owner)) == ["M0000001"]  # November, this month
    assert codes(REPORTS["members-birthday"], scope_of(owner, month=1)) == []
    assert codes(REPORTS["members-joined"], scope_of(owner, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))) == ["M0000002"]
    assert codes(REPORTS["members-expiry"], scope_of(owner, end=dt.date(2026, 11, 30))) == ["M0000002"]
    rows = REPORTS["members-address"].finish(list(REPORTS["members-address"].sorted_rows(scope_of(owner), "")), scope_of(owner))
    assert [r["province"] for r in rows] == ["กรุงเทพมหานคร", ""]


def test_points_balances_in_a_list_reconcile_with_the_accounts(shop, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["members-address"]
    scope = scope_of(owner)
    rows = list(report.sorted_rows(scope, ""))
    balances = PointAccount.objects.filter(organization=shop.org).aggregate(s=Sum(F("spendable") + F("pending") - F("debt")))["s"]
    assert sum(r["points"] for r in rows) == report.totals(scope)["points"] == balances


def test_a_branch_manager_lists_members_of_their_branch_and_may_not_export_them(shop, staff_client):
    client = staff_client(Role.BRANCH_MANAGER, branches=[shop.b2])
    page = client.get("/reports/members-address/")
    assert [row[0][0] for row in page.context["rows"]] == ["M0000002"]  # home branch B2
    assert b"format=csv" not in page.content
    assert client.get("/reports/members-address/?format=csv").status_code == 403
    assert staff_client(Role.MARKETING).get("/reports/members-address/?format=csv").status_code == 200


def test_top_spenders_rank_members_by_amount_and_reconcile_with_the_sales(shop, make_staff, staff_client):
    from sasom.ledger.models import Sale

    owner = make_staff(Role.OWNER)
    report = REPORTS["top-spenders"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    # Malee's bills come to 42,000, Somchai's to 31,500 (61,500 less his 30,000 return)
    assert [(r["code"], r["amount"]) for r in rows] == [("M0000002", Decimal("42000.00")), ("M0000001", Decimal("31500.00"))]
    sales = Sale.objects.filter(organization=shop.org, member__isnull=False).exclude(status=Sale.Status.VOIDED)
    assert sum(r["amount"] for r in rows) == report.totals(scope)["amount"] == sales_net(sales)[1]
    assert "กรุงเทพมหานคร" in rows[1]["address"]  # Somchai's
    assert staff_client(Role.BRANCH_MANAGER).get("/reports/top-spenders/?format=xlsx").status_code == 403


def test_a_member_without_an_account_is_listed_once_with_no_points(shop, make_staff):
    """The lists join the member's one account (no grouping): a member who never earned has no
    account row and still appears, once, with 0 points, and counts in the totals."""
    MemberFactory(organization=shop.org, member_type=shop.gen, code="M0000003", first_name="วิชัย")
    owner = make_staff(Role.OWNER)
    report = REPORTS["members-address"]
    scope = scope_of(owner)
    rows = list(report.sorted_rows(scope, ""))
    assert [r["code"] for r in rows] == ["M0000001", "M0000002", "M0000003"]
    assert rows[-1]["points"] == 0
    totals = report.totals(scope)
    assert totals["members"] == len(rows) == 3
    assert sum(r["points"] for r in rows) == totals["points"]
