"""The dashboard: today's figures and the 14-day points chart, for the staff member's branches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.services import sale_post
from sasom.reports.summary import BUILD_CHUNK_DAYS
from sasom.testing.factories import TerminalFactory


@pytest.fixture
def sell(org, member, branch, branch2):
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=Actor.system(), code="BASE", name="base", kind="base",
                params={"per_amount": "100", "points": 1})
    t1 = TerminalFactory(organization=org, branch=branch, code="B1-T1")
    t2 = TerminalFactory(organization=org, branch=branch2, code="B2-T1")

    def do(receipt, amount, *, days_ago=0, at_branch2=False, with_member=True):
        when = timezone.now() - dt.timedelta(days=days_ago)
        basket = engine.Basket(occurred_at=when, lines=(
            engine.BasketLine(line_no=1, sku="1", quantity=Decimal(1), unit_price=Decimal(amount)),))
        terminal = t2 if at_branch2 else t1
        sale_post(organization=org, branch=terminal.branch, terminal=terminal, receipt_id=receipt, basket=basket,
                  member=member if with_member else None, actor=Actor.system())

    yield do
    ruleset_forget()


def test_figures_and_chart_follow_the_sales(staff_client, sell):
    # given sales today (one by a non-member), yesterday, and one at another branch
    sell("R1", "500.00")
    sell("R2", "300.00", with_member=False)
    sell("R3", "1000.00", days_ago=1)
    sell("R4", "700.00", at_branch2=True)
    # when the owner opens the dashboard
    response = staff_client("owner").get("/")
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    # then today's sales and points count every branch, and the chart shows each day
    assert figures["sales_today"] == 3
    assert figures["points_today"] == 12
    assert figures["member_share_today"] == "67%"
    charts = response.context["charts"]
    assert charts["issued"][-2:] == [10, 12]
    assert charts["points_total"] == 22
    assert response.content.count(b"<svg") == 4
    svg = response.content.split(b"<svg", 1)[1].split(b"</svg>", 1)[0]
    assert b"<script" not in svg  # pygal's scripts are off


def test_the_trend_covers_30_or_90_days_when_asked(staff_client, sell):
    sell("R1", "500.00", days_ago=20)
    client = staff_client("owner")
    assert client.get("/").context["charts"]["points_total"] == 0
    wide = client.get("/?days=30").context["charts"]
    assert (wide["days"], len(wide["issued"]), wide["points_total"]) == (30, 30, 5)
    assert client.get("/?days=7").context["charts"]["days"] == 14


def test_a_cashier_sees_only_their_branch(staff_client, sell):
    sell("R1", "500.00")
    sell("R4", "700.00", at_branch2=True)
    response = staff_client("cashier").get("/")
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    assert (figures["sales_today"], figures["points_today"]) == (1, 5)


# one transaction's build of a run of at most BUILD_CHUNK_DAYS days: savepoint, days created and
# locked, marks, the sales summary's delete and insert, the line summary's delete and three inserts,
# counts, update, release
SUMMARY_BUILD = 16


def test_dashboard_cost_does_not_grow_with_sales(staff_client, sell, django_assert_max_num_queries):
    client = staff_client("owner")
    sell("R1", "500.00")
    # the first read builds the daily sales summary of the 14 days shown: one run of days built in
    # pieces of BUILD_CHUNK_DAYS, one transaction each (reports.summary); a read with nothing new
    # only checks it (4 queries)
    pieces = -(-14 // BUILD_CHUNK_DAYS)
    with django_assert_max_num_queries(14 + pieces * SUMMARY_BUILD) as first:
        client.get("/")
    with django_assert_max_num_queries(16 + 4):
        client.get("/")
    for i in range(20):
        sell(f"X{i}", "100.00", days_ago=i % 10)
    # one run of changed days rebuilt, after the check of what changed (3 queries a first build skips)
    with django_assert_max_num_queries(len(first.captured_queries) + 3):
        client.get("/")


def test_the_branches_chart_is_in_the_shops_display_unit(staff_client, sell, toman_org):
    # given a rial shop shown in toman, with 7,000 rial sold at one branch and 5,000 at the other
    sell("R1", "7000")
    sell("R4", "5000", at_branch2=True)
    # when the owner opens the dashboard
    response = staff_client("owner").get("/", HTTP_ACCEPT_LANGUAGE="en")
    charts = response.context["charts"]
    # then the chart is titled in toman and draws 700 and 500 (the stored rial stay in its data)
    assert "(toman)" in str(charts["branches"])
    assert sorted(net for _code, net in charts["branch_sales"]) == [Decimal(5000), Decimal(7000)]
    assert "700" in str(charts["branches"]) and "7000" not in str(charts["branches"])
