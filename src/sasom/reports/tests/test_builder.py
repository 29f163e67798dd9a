"""The report builder's figures (``builder_query``): grouped per dimension, merged over the sources,
and reconciled with the sales and the ledger entries for the same filters (the shop's autumn of the
conftest, clock at 15 November 2026).

By hand, November 1-15, net of returns: Somchai (GEN, B1) R-003 60,000 half returned -> 30,000,
300 points; Malee (VIP, B2) R-004 40,000, 400 points. Redeemed: Somchai 100 at B1, Malee 200 + 100
(cancelled later) at B2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, Sale
from sasom.organizations.models import Role
from sasom.reports import builder
from sasom.reports.builder import definition_clean
from sasom.reports.builder_query import result_compute
from sasom.reports.builder_report import builder_scope
from sasom.reports.points import SPENT_KINDS
from sasom.reports.tests.conftest import BKK
from sasom.reports.tests.test_points_reports import sales_net

pytestmark = pytest.mark.django_db


def define(shop, **data):
    base = {"dimensions": ["member_type"], "measures": ["members", "bills", "amount", "points_earned"],
            "date_from": "2026-11-01", "date_to": "2026-11-15"}
    base.update(data)
    return definition_clean(base, organization_id=shop.org.pk, branch_ids=None,
                            member_type_ids={shop.gen.pk, shop.vip.pk}, tier_ids=set(), custom_keys={"drink"})


def run(shop, staff, **data):
    definition = define(shop, **data)
    return result_compute(definition, builder_scope(definition, staff=staff))


def test_one_dimension_by_member_type(shop, make_staff):
    result = run(shop, make_staff(Role.OWNER), sort="d0")
    assert [(r["d0"], r["members"], r["bills"], r["amount"], r["points_earned"]) for r in result.rows] == sorted([
        (shop.gen.name, 1, 1, Decimal("30000.00"), 300), ("วีไอพี", 1, 1, Decimal("40000.00"), 400)])
    assert (result.totals["members"], result.totals["bills"], result.totals["amount"]) == (2, 2, Decimal("70000.00"))


def _sales(shop, *, branch=None, member_type=None, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 15)):
    sales = Sale.objects.filter(
        organization=shop.org, member__isnull=False,
        occurred_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=BKK),
        occurred_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BKK))
    if branch:
        sales = sales.filter(branch=branch)
    if member_type:
        sales = sales.filter(member__member_type=member_type)
    return list(sales.prefetch_related("returns"))


def _spent(shop, *, branch=None, member_type=None):
    entries = Entry.objects.filter(organization=shop.org, kind__in=SPENT_KINDS,
                                   occurred_at__gte=dt.datetime(2026, 11, 1, tzinfo=BKK),
                                   occurred_at__lt=dt.datetime(2026, 11, 16, tzinfo=BKK))
    if branch:
        entries = entries.filter(branch=branch)
    if member_type:
        entries = entries.filter(account__member__member_type=member_type)
    return sum(e.amount for e in entries)


@pytest.mark.parametrize("which", ["all", "b1", "b2", "vip"])
def test_totals_and_rows_reconcile_with_the_sales_and_the_entries(shop, make_staff, which):
    # given the owner's filters
    owner = make_staff(Role.OWNER)
    branch = {"b1": shop.b1, "b2": shop.b2}.get(which)
    member_type = shop.vip if which == "vip" else None
    # when the builder counts by day and branch
    result = run(shop, owner, dimensions=["day", "branch"], branch=branch.pk if branch else None,
                 member_type=member_type.pk if member_type else None,
                 measures=["bills", "amount", "points_earned", "points_redeemed", "average"])
    # then its totals are the sales' and the entries' of the same filters
    bills, amount, points = sales_net(_sales(shop, branch=branch, member_type=member_type))
    redeemed = _spent(shop, branch=branch, member_type=member_type)
    assert (result.totals["bills"], result.totals["amount"], result.totals["points_earned"]) == (bills, amount, points)
    assert result.totals["points_redeemed"] == redeemed > 0
    # and the rows add up to the totals
    assert sum(r["bills"] for r in result.rows) == bills
    assert sum(r["amount"] for r in result.rows) == amount
    assert sum(r["points_earned"] for r in result.rows) == points
    assert sum(r["points_redeemed"] for r in result.rows) == redeemed


def test_points_redeemed_by_branch_and_the_days_of_the_zone(shop, make_staff):
    result = run(shop, make_staff(Role.OWNER), dimensions=["branch"], measures=["points_earned", "points_redeemed"])
    by_branch = {r["d0"]: (r["points_earned"], r["points_redeemed"]) for r in result.rows}
    assert by_branch["B1"] == (300, _spent(shop, branch=shop.b1))
    assert by_branch["B2"] == (400, _spent(shop, branch=shop.b2))
    days = run(shop, make_staff(Role.OWNER), dimensions=["day"], measures=["bills"])
    assert [(r["d0"], r["bills"]) for r in days.rows] == [(dt.date(2026, 11, 2), 1), (dt.date(2026, 11, 3), 1)]


def test_a_visit_is_a_members_day(shop, make_staff):
    # given Malee's second bill of 3 November, at B2 in the evening
    from sasom.organizations.models import Terminal
    from sasom.reports.tests.conftest import _sell, at

    _sell(shop.org, Terminal.objects.get(code="B2-T1"), "R-020", "100.00", shop.malee, at(2026, 11, 3, 20))
    # when the builder counts per member type
    result = run(shop, make_staff(Role.OWNER), sort="-bills", measures=["bills", "visits", "members"])
    # then her two bills are one visit
    assert [(r["d0"], r["bills"], r["visits"], r["members"]) for r in result.rows][0] == ("วีไอพี", 2, 1, 1)
    assert (result.totals["bills"], result.totals["visits"]) == (3, 2)


def test_tags_custom_fields_and_dimension_values(shop, make_staff):
    # given Somchai likes coffee and tea, Malee coffee; a custom field "drink"
    shop.somchai.tags, shop.somchai.custom = ["coffee", "tea"], {"drink": "latte"}
    shop.somchai.save(update_fields=["tags", "custom"])
    shop.malee.tags, shop.malee.custom = ["coffee"], {"drink": "mocha"}
    shop.malee.save(update_fields=["tags", "custom"])
    owner = make_staff(Role.OWNER)
    # when the builder compares the tags
    result = run(shop, owner, dimensions=["tags"], values={"tags": ["coffee", "tea"]}, measures=["members", "amount"])
    # then a member counts under each of their tags, and once in the totals
    assert [(r["d0"], r["members"], r["amount"]) for r in result.rows] == [
        ("coffee", 2, Decimal("70000.00")), ("tea", 1, Decimal("30000.00"))]
    assert (result.totals["members"], result.totals["amount"]) == (2, Decimal("70000.00"))
    # a custom field groups, and a kept value filters the rows and the totals
    custom = run(shop, owner, dimensions=["custom:drink", "gender"], values={"custom:drink": "mocha"},
                 measures=["amount"])
    assert [(r["d0"], r["amount"]) for r in custom.rows] == [("mocha", Decimal("40000.00"))]
    assert custom.totals["amount"] == Decimal("40000.00")


def test_product_category_counts_the_lines(shop, make_staff):
    from sasom.core.audit import Actor
    from sasom.earning import engine
    from sasom.ledger.services import sale_post
    from sasom.organizations.models import Terminal
    from sasom.reports.tests.conftest import at

    terminal = Terminal.objects.get(code="B2-T1")
    basket = engine.Basket(occurred_at=at(2026, 11, 12), lines=(
        engine.BasketLine(line_no=1, sku="COLA", category="DRINK", quantity=Decimal(3), unit_price=Decimal("20")),
        engine.BasketLine(line_no=2, sku="CHIPS", category="SNACK", quantity=Decimal(2), unit_price=Decimal("50"))))
    sale_post(organization=shop.org, branch=terminal.branch, terminal=terminal, receipt_id="R-012", basket=basket,
              member=shop.malee, actor=Actor.system(), now=at(2026, 11, 12))
    result = run(shop, make_staff(Role.OWNER), dimensions=["category"], measures=["bills", "amount"], sort="d0")
    assert [(r["d0"], r["bills"], r["amount"]) for r in result.rows] == [
        ("DRINK", 1, Decimal("60.00")), ("SNACK", 1, Decimal("100.00")), ("", 2, Decimal("70000.00"))]
    assert result.rows[-1]["d0_label"] == "—"
    assert (result.totals["bills"], result.totals["amount"]) == (3, Decimal("70160.00"))


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"dimensions": ["password"]}, builder.UNKNOWN_DIMENSION, "dimensions"),
    ({"dimensions": ["month", "day"]}, builder.UNKNOWN_DIMENSION, "dimensions"),
    ({"dimensions": ["gender", "branch", "tier"]}, builder.UNKNOWN_DIMENSION, "dimensions"),
    ({"dimensions": ["custom:nope"]}, builder.UNKNOWN_DIMENSION, "dimensions"),
    ({"measures": []}, builder.NO_MEASURE, "measures"),
    ({"measures": ["profit"]}, builder.UNKNOWN_MEASURE, "measures"),
    ({"date_from": "", "date_to": ""}, builder.BAD_PERIOD, "date_from"),
    ({"date_from": "2025-01-01", "date_to": "2026-11-15"}, builder.PERIOD_TOO_LONG, "date_to"),
    ({"date_from": "2026-11-15", "date_to": "2026-11-01"}, builder.BAD_PERIOD, "date_to"),
    ({"period": "forever"}, builder.BAD_PERIOD, "period"),
    ({"sort": "password"}, builder.BAD_SORT, "sort"),
    ({"sort": "-d1"}, builder.BAD_SORT, "sort"),
    ({"dimensions": ["category"], "measures": ["points_earned"]}, builder.NOT_COMBINABLE, "measures"),
    ({"dimensions": ["tags"]}, builder.TAGS_NEEDED, "values"),
    ({"values": {"gender": ["robot"]}}, builder.BAD_VALUES, "values"),
    ({"values": {"month": ["2026-11"]}}, builder.BAD_VALUES, "values"),
    ({"branch": "abc"}, builder.BAD_FILTER, "branch"),
    ({"member_type": 999999}, builder.BAD_FILTER, "member_type"),
    ({"tier": "77"}, builder.BAD_FILTER, "tier"),
])
def test_bad_definitions_name_their_field(shop, data, code, field):
    with pytest.raises(DomainError) as refused:
        define(shop, **data)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_branch_outside_the_staff_members_scope_is_refused(shop):
    with pytest.raises(DomainError) as refused:
        definition_clean({"dimensions": ["branch"], "measures": ["bills"], "period": "this_month",
                          "branch": shop.b2.pk}, organization_id=shop.org.pk, branch_ids={shop.b1.pk},
                         member_type_ids=set(), tier_ids=set(), custom_keys=set())
    assert (refused.value.code, refused.value.field) == (builder.BAD_FILTER, "branch")


def test_a_branch_manager_counts_their_branches_only(shop, make_staff):
    manager = make_staff(Role.BRANCH_MANAGER, branches=[shop.b1])
    result = run(shop, manager, dimensions=["branch"], measures=["bills", "amount", "points_redeemed"])
    assert [(r["d0"], r["bills"], r["amount"]) for r in result.rows] == [("B1", 1, Decimal("30000.00"))]
    assert result.totals["points_redeemed"] == _spent(shop, branch=shop.b1)
    # a saved definition naming another branch falls back to the manager's own
    definition = define(shop, dimensions=["branch"], measures=["bills"], branch=shop.b2.pk)
    assert builder_scope(definition, staff=manager).branch_ids == {shop.b1.pk}


def test_relative_periods_count_from_the_day():
    assert builder.period_dates("last_month", dt.date(2026, 12, 1)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert builder.period_dates("last_6_months", dt.date(2026, 3, 9)) == (dt.date(2025, 9, 1), dt.date(2026, 2, 28))
    assert builder.period_dates("last_7_days", dt.date(2026, 11, 15)) == (dt.date(2026, 11, 8), dt.date(2026, 11, 14))
    assert builder.period_dates("this_month", dt.date(2026, 11, 15)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 15))


def test_the_cost_is_one_grouped_query_and_one_aggregate_per_source(shop, make_staff, django_assert_num_queries):
    owner = make_staff(Role.OWNER)
    definition = define(shop, dimensions=["month", "tier"], measures=["members", "visits", "amount", "average",
                                                                      "points_earned", "points_redeemed"],
                        date_from="2026-10-01")
    scope = builder_scope(definition, staff=owner)
    with django_assert_num_queries(4):  # sales grouped and totalled, entries grouped and totalled
        first = result_compute(definition, scope)
    from sasom.organizations.models import Terminal
    from sasom.reports.tests.conftest import _sell, at

    for i in range(5):
        _sell(shop.org, Terminal.objects.get(code="B1-T1"), f"R-10{i}", "300.00", shop.somchai, at(2026, 11, 9 + i))
    with django_assert_num_queries(4):
        again = result_compute(definition, scope)
    assert again.totals["bills"] == first.totals["bills"] + 5


def test_the_tier_today_as_a_dimension_and_a_filter(shop, make_staff):
    from sasom.tiers.models import MemberTier, Tier, TierLadder

    ladder = TierLadder.objects.create(organization=shop.org, name="ระดับ")
    gold = Tier.objects.create(organization=shop.org, ladder=ladder, code="GOLD", name="โกลด์", threshold=1000)
    MemberTier.objects.create(organization=shop.org, member=shop.malee, tier=gold, reached_on=dt.date(2026, 11, 3))
    owner = make_staff(Role.OWNER)
    result = run(shop, owner, dimensions=["tier"], measures=["amount", "points_redeemed"], sort="d0")
    assert [(r["d0_label"], r["amount"], r["points_redeemed"]) for r in result.rows] == [
        ("โกลด์", Decimal("40000.00"), _spent(shop, member_type=shop.vip)), ("—", Decimal("30000.00"), 100)]
    definition = definition_clean({"dimensions": ["branch"], "measures": ["amount"], "period": "this_month",
                                   "tier": str(gold.pk)}, organization_id=shop.org.pk, branch_ids=None,
                                  member_type_ids=set(), tier_ids={str(gold.pk)}, custom_keys=set())
    only = result_compute(definition, builder_scope(definition, staff=owner))
    assert [(r["d0"], r["amount"]) for r in only.rows] == [("B2", Decimal("40000.00"))]
