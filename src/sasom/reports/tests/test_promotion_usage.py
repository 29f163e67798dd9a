"""Campaigns: promotion usage, per promotion and its bills, through the till's own API.

The till's shop (checkout's test_priced_basket: chips 20.00, beer 60.00, VIP 10 % off) with
B2G1 (chips, buy 2 get 1) and ONCE (beer, buy 2 get 1, a budget of 5 bills). In November 2026:

    R-1  B1  the VIP     3 chips   B2G1 ×1  -20   net 36 (40 less 10 %)
    R-2  B1  walk-in     6 chips   B2G1 ×1  -20   net 100 (one free chip a bill)
    R-3  B2  walk-in     3 chips   B2G1 ×1  -18   net 36 (B2's chips are 18.00)
    R-4  B1  walk-in     3 chips   voided: out
    R-5  B1  walk-in     6 chips   B2G1 ×1  -20   net 100, then 3 chips back: the 3 kept still get
                                                one free (40), so 60 returned and the amount is 40
    R-6  B1  walk-in     3 chips   returned in full: out
    R-7  B1  walk-in     3 beers   ONCE ×1  -60   net 120
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from sasom.checkout.tests.promo_shop import _fresh_promotions, b2g1, promotion  # noqa: F401
from sasom.checkout.tests.test_priced_basket import body, pos, pos_b2, post, shop, vip, vip_type  # noqa: F401
from sasom.ledger.models import Sale, SaleLine
from sasom.organizations.models import Role
from sasom.reports.framework import REPORTS
from sasom.reports.salesdata import COUNTED_OUT
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db
D = Decimal
B2G1_USED = 4  # a void and a full return give their use back (Promotion.uses)
NOV = "2026-11-{:02d}T12:30:00+07:00"


def sell(client, receipt, sku, qty, day, member=False):
    answer = post(client, "/api/v1/sales", body((sku, qty), receipt=receipt, when=NOV.format(day),
                                                phone="+66810000001" if member else None))
    assert answer.status_code == 201, answer.content


@pytest.fixture
def november(shop, b2g1, vip, pos, pos_b2):  # noqa: F811 - the till's fixtures, imported above
    promotion(shop, "ONCE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["BEER"], budget=5)
    sell(pos, "R-1", "CHIPS", "3", 2, member=True)
    sell(pos, "R-2", "CHIPS", "6", 3)
    sell(pos_b2, "R-3", "CHIPS", "3", 4)
    sell(pos, "R-4", "CHIPS", "3", 5)
    assert post(pos, "/api/v1/sales/R-4/void", {"reason": "wrong basket"}).status_code == 200
    sell(pos, "R-5", "CHIPS", "6", 6)
    assert post(pos, "/api/v1/sales/R-5/returns",
                {"return_id": "RT-5", "lines": [{"line_no": 1, "quantity": "3"}]}).status_code == 201
    sell(pos, "R-6", "CHIPS", "3", 7)
    assert post(pos, "/api/v1/sales/R-6/returns",
                {"return_id": "RT-6", "lines": [{"line_no": 1, "quantity": "3"}]}).status_code == 201
    sell(pos, "R-7", "BEER", "3", 8)
    return shop


def rows_of(slug, scope, sort=""):
    report = REPORTS[slug]
    return report.finish(list(report.sorted_rows(scope, sort)), scope), report.totals(scope)


def lines_discount(org, branch=None):
    sales = Sale.objects.filter(organization=org).exclude(status__in=COUNTED_OUT)
    if branch is not None:
        sales = sales.filter(branch=branch)
    return SaleLine.objects.filter(sale__in=sales).aggregate(d=Sum("promotion_discount"))["d"]


def test_usage_per_promotion_reconciles_with_the_lines_discount(november, make_staff, branch):
    owner = make_staff(Role.OWNER)
    rows, totals = rows_of("promotion-usage", scope_of(owner), "code")
    assert [(r["code"], r["times"], r["bills"], r["member_bills"], r["other_bills"], r["units"], r["discount"],
             r["amount"], r["budget"], r["budget_used"], r["budget_left"]) for r in rows] == [
        ("B2G1", 4, 4, 1, 3, D("12"), D("78.00"), D("212.00"), None, B2G1_USED, None),
        ("ONCE", 1, 1, 0, 1, D("3"), D("60.00"), D("120.00"), 5, 1, 4)]
    assert totals["discount"] == lines_discount(november) == D("138.00")
    assert (totals["bills"], totals["times"], totals["amount"]) == (5, 5, D("332.00"))
    # one branch: B1 only (R-3 was B2's)
    mine, mine_totals = rows_of("promotion-usage", scope_of(owner, branch=branch), "code")
    assert mine_totals["discount"] == lines_discount(november, branch) == D("120.00")
    # per day, one promotion
    b2g1_id = rows[0]["promotion_id"]
    days, _t = rows_of("promotion-usage", scope_of(owner, period="day", promotion=b2g1_id))
    assert [(r["period"].day, r["bills"], r["discount"]) for r in days] == [
        (2, 1, D("20.00")), (3, 1, D("20.00")), (4, 1, D("18.00")), (6, 1, D("20.00"))]


def test_the_bills_of_a_promotion(november, make_staff):
    rows, totals = rows_of("promotion-usage-bills", scope_of(make_staff(Role.OWNER)), "receipt")
    assert [(r["receipt"], r["branch"], r["code"], r["member"], r["times"], r["discount"], r["amount"])
            for r in rows] == [
        ("R-1", "B1", "B2G1", "V0000001", 1, D("20.00"), D("36.00")),
        ("R-2", "B1", "B2G1", "", 1, D("20.00"), D("100.00")),
        ("R-3", "B2", "B2G1", "", 1, D("18.00"), D("36.00")),
        ("R-5", "B1", "B2G1", "", 1, D("20.00"), D("40.00")),
        ("R-7", "B1", "ONCE", "", 1, D("60.00"), D("120.00"))]
    assert (totals["discount"], totals["amount"]) == (D("138.00"), D("332.00"))


def test_the_pages_exports_and_a_branch_manager(november, staff_client, branch, django_assert_num_queries):
    owner = staff_client(Role.OWNER)
    url = "/reports/promotion-usage/?date_from=2026-11-01&date_to=2026-11-15"
    owner.get(url)
    # the login (5), the member types, branches and promotions (3), count, rows, totals, chart
    with django_assert_num_queries(12):
        page = owner.get(url)
    assert page.status_code == 200 and b"<svg" in page.content and len(page.context["rows"]) == 2
    assert page.context["totals"][7][0] == "138.00"
    csv = b"".join(owner.get(url + "&format=csv").streaming_content).decode("utf-8-sig").splitlines()
    assert csv[-1].split(",")[7] == "138.00"
    assert owner.get(url + "&format=xlsx").status_code == 200
    assert owner.get(url + "&format=pdf").content.startswith(b"%PDF")
    bills = owner.get("/reports/promotion-usage-bills/?date_from=2026-11-01&date_to=2026-11-15")
    assert len(bills.context["rows"]) == 5
    manager = staff_client(Role.BRANCH_MANAGER, branches=[branch])
    mine = manager.get("/reports/promotion-usage-bills/?date_from=2026-11-01&date_to=2026-11-15")
    assert sorted(r[1][0] for r in mine.context["rows"]) == ["R-1", "R-2", "R-5", "R-7"]
    assert mine.context["totals"][7][0] == "120.00"
    bad = manager.get("/reports/promotion-usage/?date_from=2026-11-01&promotion=999999")
    assert "promotion" in bad.context["form"].errors and "rows" not in bad.context
    assert staff_client(Role.CASHIER).get(url).status_code == 403
