"""The points reports' totals reconcile with the ledger for the same filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from sasom.ledger.models import Entry, Lot, PointAccount
from sasom.organizations.models import Role
from sasom.reports.dashboard import dashboard_figures
from sasom.reports.framework import REPORTS, Scope
from sasom.reports.tests.conftest import BKK
from sasom.rewards.models import PointsDiscountRule

pytestmark = pytest.mark.django_db


def scope_of(staff, *, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 15), branch=None, member_type=None, **data):
    return Scope(organization=staff.organization, staff=staff, zone=BKK, start_on=start, end_on=end,
                 branch_ids=None if branch is None else {branch.pk}, branch=branch, member_type=member_type, data=data)


def ledger_sum(org, *, start=None, end=None, branch=None, member_type=None, **more):
    entries = Entry.objects.filter(organization=org, **more)
    if start:
        entries = entries.filter(occurred_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=BKK))
    if end:
        entries = entries.filter(occurred_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BKK))
    if branch:
        entries = entries.filter(branch=branch)
    if member_type:
        entries = entries.filter(account__member__member_type=member_type)
    return sum(e.sign * e.amount for e in entries)


def sales_net(sales):
    """(bills, amount, points) of these sales counted by hand as the sales reports count them: a
    voided or wholly returned bill is out, a return lowers its sale's amount and points."""
    kept = [s for s in sales if s.status not in ("voided", "returned")]
    amount = sum((s.net - sum((r.returned_net for r in s.returns.all()), Decimal("0")) for s in kept), Decimal("0"))
    points = sum(s.points_earned - sum(r.points_reversed for r in s.returns.all()) for s in kept)
    return len(kept), amount, points


@pytest.mark.parametrize("which", ["all", "b1", "b2", "vip"])
def test_movement_totals_and_rows_reconcile_with_the_entries(shop, make_staff, which):
    # given the shop's autumn and the owner's filters
    owner = make_staff(Role.OWNER)
    branch = {"b1": shop.b1, "b2": shop.b2}.get(which)
    member_type = shop.vip if which == "vip" else None
    report = REPORTS["points-movement"]
    for start, end in [(dt.date(2026, 11, 1), dt.date(2026, 11, 15)), (dt.date(2025, 1, 1), dt.date(2026, 11, 15))]:
        scope = scope_of(owner, start=start, end=end, branch=branch, member_type=member_type, period="month")
        # when the report is read
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
        totals = report.totals(scope)
        # then the rows add up to the totals, and the totals to the ledger's entries
        assert sum(r["net"] for r in rows) == totals["net"]
        assert sum(r["credit"] for r in rows) - sum(r["debit"] for r in rows) == totals["net"]
        assert sum(r["entries"] for r in rows) == totals["entries"]
        assert totals["net"] == ledger_sum(shop.org, start=start, end=end, branch=branch, member_type=member_type)


def test_movement_by_kind_in_november(shop, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["points-movement"]
    scope = scope_of(owner, period="month")
    rows = {r["kind"]: r for r in report.finish(list(report.sorted_rows(scope, "")), scope)}
    # 600 + 400 earned; the return took 300 back; 10 adjusted away; 100 + 200 + 100 redeemed, 100 given back
    assert rows["earn"]["credit"] == 1000
    assert rows["return"]["net"] == -300
    assert rows["adjust"]["net"] == -10
    assert rows["redeem"]["debit"] == 400
    assert rows["earn"]["period"] == dt.date(2026, 11, 1)
    assert rows["earn"]["kind_label"]
    assert report.totals(scope)["net"] == 1000 - 300 - 10 - 400 + 100


def test_member_summary_rows_balance_and_reconcile_with_accounts(shop, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["member-points"]
    scope = scope_of(owner)
    rows = report.finish(list(report.sorted_rows(scope, "code")), scope)
    # then every row balances: opening + movements = closing
    for r in rows:
        assert r["opening"] + r["earned"] + r["bought"] - r["spent"] - r["expired"] + r["returned"] + r["adjusted"] == r["closing"]
    by_code = {r["code"]: r for r in rows}
    assert (by_code["M0000001"]["opening"], by_code["M0000001"]["closing"]) == (15, 15 + 600 - 300 - 100)
    assert by_code["M0000001"]["name"] == "สมชาย ใจดี"
    # and the closing balances today are the accounts' balances
    totals = report.totals(scope)
    accounts = PointAccount.objects.filter(organization=shop.org).aggregate(s=Sum(F("spendable") + F("pending") - F("debt")))
    assert totals["closing"] == sum(r["closing"] for r in rows) == accounts["s"]
    for key in ("opening", "earned", "spent", "expired", "returned", "adjusted"):
        assert totals[key] == sum(r[key] for r in rows), key
    # October: the expiry shows, and the opening of 1 October is the 50 welcome points
    october = scope_of(owner, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    row = {r["code"]: r for r in report.finish(list(report.sorted_rows(october, "")), october)}["M0000001"]
    assert (row["opening"], row["expired"], row["earned"], row["closing"]) == (50, 50, 15, 15)


def test_liability_equals_open_balances_and_values_points_by_the_discount_rule(shop, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["points-liability"]
    scope = scope_of(owner)
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    totals = report.totals(scope)
    open_points = Lot.objects.filter(organization=shop.org).aggregate(s=Sum("remaining"))["s"]
    balances = PointAccount.objects.filter(organization=shop.org).aggregate(s=Sum(F("spendable") + F("pending")))["s"]
    assert totals["points"] == sum(r["points"] for r in rows) == open_points == balances
    # VIP points are worth 1 baht per 4, the others 1 per 10
    vip = [r for r in rows if r["member_type"] == "วีไอพี"]
    assert sum(r["points"] for r in vip) == 20 + 400 - 10 - 200
    assert all(r["value"] == Decimal(r["points"]) / 4 for r in vip)
    assert totals["value"] == sum(r["value"] for r in rows)
    assert all(r["expires"] is not None for r in rows)


def test_liability_values_points_at_a_money_rate_in_the_shops_minor_unit(shop, make_staff):
    # given VIP points worth 3 rial per 4 points and the shop in rial (no decimals)
    PointsDiscountRule.objects.filter(organization=shop.org, member_type__isnull=False).update(per_amount=3)
    shop.org.currency = "IRR"
    shop.org.save(update_fields=["currency"])
    owner = make_staff(Role.OWNER)
    report = REPORTS["points-liability"]
    scope = scope_of(owner)
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    # then each VIP row is its points x 3 / 4, cut down to a whole rial; the others 1 per 10
    vip = [r for r in rows if r["member_type"] == "วีไอพี"]
    assert vip and all(r["value"] == (r["points"] * 3) // 4 for r in vip)
    assert all(r["value"] == r["points"] // 10 for r in rows if r not in vip)
    # and the dashboard values each type's points at once (cut down once per type), shown in rial
    by_type: dict[str, int] = {}
    for r in rows:
        by_type[r["member_type"]] = by_type.get(r["member_type"], 0) + r["points"]
    expected = sum(pts * 3 // 4 if name == "วีไอพี" else pts // 10 for name, pts in by_type.items())
    figure = {f["key"]: f["value"] for f in dashboard_figures(owner)}["points_outstanding_value"]
    assert figure == f"{expected:,}"


def test_redemption_reports_reconcile_with_redeem_entries(shop, make_staff):
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner)
    detail, by_reward = REPORTS["redemption-detail"], REPORTS["redemptions-by-reward"]
    done = detail.totals(scope)
    assert (done["redemptions"], done["quantity"], done["points"]) == (2, 3, 300)
    assert by_reward.totals(scope)["points"] == sum(r["points"] for r in by_reward.rows(scope)) == 300
    cancelled = detail.totals(scope_of(owner, status="cancelled"))
    everything = detail.totals(scope_of(owner, status="all"))
    # every redemption spent its points in one redeem entry; a cancelled one was given back
    spent = -ledger_sum(shop.org, start=dt.date(2026, 11, 1), kind=Entry.Kind.REDEEM)
    assert everything["points"] == spent == 400
    assert cancelled["points"] == ledger_sum(shop.org, start=dt.date(2026, 11, 1), source_type="rewards.redemption_cancel")
    # at B2 only
    b2 = detail.totals(scope_of(owner, branch=shop.b2, status="all"))
    assert b2["points"] == -ledger_sum(shop.org, start=dt.date(2026, 11, 1), kind=Entry.Kind.REDEEM, branch=shop.b2)


@pytest.mark.parametrize("which", ["all", "b2", "vip"])
def test_card_usage_and_visit_frequency_reconcile_with_the_sales(shop, make_staff, which):
    from sasom.ledger.models import Sale

    owner = make_staff(Role.OWNER)
    branch = shop.b2 if which == "b2" else None
    member_type = shop.vip if which == "vip" else None
    scope = scope_of(owner, start=dt.date(2026, 10, 1), branch=branch, member_type=member_type)
    usage, frequency = REPORTS["card-usage-by-branch"], REPORTS["visit-frequency"]
    sales = Sale.objects.filter(organization=shop.org, member__isnull=False).exclude(status=Sale.Status.VOIDED)
    if branch:
        sales = sales.filter(branch=branch)
    if member_type:
        sales = sales.filter(member__member_type=member_type)
    expected = sales_net(sales)
    if which == "all":  # by hand: 1,500 + 2,000 + (60,000 − 30,000 returned) + 40,000; 15 + 20 + 300 + 400
        assert expected == (4, Decimal("73500.00"), 735)
    totals = usage.totals(scope)
    assert (totals["visits"], totals["amount"], totals["points"]) == expected
    rows = usage.finish(list(usage.sorted_rows(scope, "")), scope)
    assert sum(r["visits"] for r in rows) == expected[0] and sum(r["amount"] for r in rows) == expected[1]
    bands = frequency.finish(list(frequency.sorted_rows(scope, "")), scope)
    assert sum(b["visits"] for b in bands) == frequency.totals(scope)["visits"] == expected[0]
    assert sum(b["amount"] for b in bands) == expected[1]
    assert sum(b["members"] for b in bands) == totals["members"] == len({s.member_id for s in sales})
    if which == "all":  # Somchai and Malee came twice each (the no-member sale does not count)
        assert [(b["band_label"], b["members"], b["visits"]) for b in bands] == [("2–3", 2, 4)]


@pytest.mark.parametrize("dimension", ["", "gender", "marital_status", "occupation", "age", "branch"])
def test_member_sales_by_month_reconcile_with_the_sales_whatever_the_grouping(shop, make_staff, dimension):
    from sasom.ledger.models import Sale

    owner = make_staff(Role.OWNER)
    report = REPORTS["sales-by-month"]
    scope = scope_of(owner, start=dt.date(2026, 6, 1), dimension=dimension)
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    sales = Sale.objects.filter(organization=shop.org, member__isnull=False).exclude(status=Sale.Status.VOIDED)
    bills, amount, points = sales_net(sales)
    assert sum(r["visits"] for r in rows) == report.totals(scope)["visits"] == bills == 4
    assert sum(r["amount"] for r in rows) == report.totals(scope)["amount"] == amount == Decimal("73500.00")
    assert sum(r["points"] for r in rows) == points == 735
    if dimension == "age":  # Somchai, born 3 November 1990, is 36; Malee gave no birth date
        assert {r["group"] for r in rows} == {"30–39", "—"}
