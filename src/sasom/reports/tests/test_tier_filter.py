"""The tier filter (tiers.MemberTier, the member's tier today) on the reports where a member is
involved: the totals reconcile with the sales and entries of the members of that tier."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.ledger.models import Entry, Sale
from sasom.organizations.models import Role
from sasom.reports.framework import NO_TIER, REPORTS
from sasom.reports.tests.test_points_reports import sales_net, scope_of
from sasom.tiers.models import MemberTier, Tier, TierLadder

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(shop):
    """Malee is Gold today; Somchai has no tier (Silver exists, nobody holds it)."""
    ladder = TierLadder.objects.create(organization=shop.org, name="ระดับ")
    Tier.objects.create(organization=shop.org, ladder=ladder, code="SILVER", name="ซิลเวอร์", threshold=0)
    gold = Tier.objects.create(organization=shop.org, ladder=ladder, code="GOLD", name="โกลด์", threshold=1000)
    MemberTier.objects.create(organization=shop.org, member=shop.malee, tier=gold, reached_on=dt.date(2026, 11, 3))
    return gold


@pytest.mark.parametrize("which", ["gold", "none"])
def test_tier_filter_reconciles_with_the_members_of_the_tier(shop, gold, make_staff, which):
    owner = make_staff(Role.OWNER)
    tier = str(gold.pk) if which == "gold" else NO_TIER
    member = shop.malee if which == "gold" else shop.somchai
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    scope.tier = tier
    sales = Sale.objects.filter(organization=shop.org, member=member).exclude(status=Sale.Status.VOIDED)
    usage = REPORTS["card-usage-by-branch"].totals(scope)
    bills, amount, _points = sales_net(sales)
    assert (usage["visits"], usage["amount"]) == (bills, amount)
    assert REPORTS["sales-by-month"].totals(scope)["visits"] == bills
    entries = Entry.objects.filter(organization=shop.org, account__member=member,
                                   occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at)
    assert REPORTS["points-movement"].totals(scope)["net"] == sum(e.sign * e.amount for e in entries)
    redemptions = REPORTS["redemption-detail"]
    assert redemptions.totals(scope)["points"] == (200 if which == "gold" else 100)
    members = REPORTS["members-joined"]
    joined = scope_of(owner, start=dt.date(2025, 1, 1))
    joined.tier = tier
    listed = members.finish(list(members.sorted_rows(joined, "")), joined)
    assert [r["code"] for r in listed] == [member.code]


def test_the_tier_filter_on_the_page(shop, gold, staff_client):
    client = staff_client(Role.OWNER)
    url = "/reports/card-usage-by-branch/?date_from=2026-10-01&date_to=2026-11-15"
    # the choices: every tier, or no tier
    response = client.get(url)
    choices = dict(response.context["form"].fields["tier"].choices)
    assert set(choices) == {"", NO_TIER, str(gold.pk), str(gold.pk - 1)}
    # Gold: Malee's branch (B2) alone
    response = client.get(f"{url}&tier={gold.pk}")
    assert [row[0][0] for row in response.context["rows"]] == ["B2 สาขาสีลม"]
    # an unknown tier is a message, not a 500
    response = client.get(f"{url}&tier=999999")
    assert response.status_code == 200 and response.context["form"].errors and "rows" not in response.context
    # a report without members (the donation fund) offers no tier
    response = client.get("/reports/donation-fund/?date_from=2026-10-01")
    assert "tier" not in response.context["form"].fields
