"""Purchases per member segment with the shared segment form (the conditions broadcasts, labels,
coupon bulk issue, news and cards offer): the page keeps the members it chooses, says so in its
filters, offers a branch manager their own branches, and refuses a bad condition on its field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.organizations.models import Role
from sasom.reports.purchases import PurchasesForm
from sasom.reports.tests.test_sales_analyses import analysed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PAGE = "/reports/purchases-by-segment/?date_from=2026-11-01&date_to=2026-11-15&by=sku&segment_by=all"


def amounts(page) -> dict[str, str]:
    return {row[1][0]: row[5][0] for row in page.context["rows"]}


def test_the_segment_forms_conditions_choose_the_members(analysed, staff_client):  # noqa: F811
    client = staff_client(Role.MARKETING)
    # given every member: Somchai's SKU1 (30,000 after the return) and Malee's
    everyone = client.get(PAGE)
    assert amounts(everyone) == {"SKU1": "70,000.00", "CHIPS": "100.00", "COLA": "40.00"}

    # when only the VIP member type is chosen (Malee)
    vip = client.get(PAGE + f"&member_types={analysed.vip.pk}")

    # then only Malee's lines count, and the filters say which members
    assert vip.status_code == 200
    assert amounts(vip) == {"SKU1": "40,000.00", "CHIPS": "100.00", "COLA": "40.00"}
    assert (str(PurchasesForm.base_fields["member_types"].label), "วีไอพี") in vip.context["filters"]
    # and a condition on the birth month (Somchai, November) keeps his lines only
    november = client.get(PAGE + "&birth_months=11")
    assert amounts(november) == {"SKU1": "30,000.00"}
    assert november.context["page"].paginator.count == 1


def test_a_branch_manager_chooses_among_their_branches_and_a_bad_condition_names_its_field(
        analysed, staff_client):  # noqa: F811
    manager = staff_client(Role.BRANCH_MANAGER, branches=[analysed.b1])
    page = manager.get(PAGE)
    assert [c[0] for c in page.context["form"].fields["home_branches"].choices] == [analysed.b1.pk]
    refused = manager.get(PAGE + f"&home_branches={analysed.b2.pk}")
    assert "home_branches" in refused.context["form"].errors and "rows" not in refused.context
    bad = manager.get(PAGE + "&spent_from=2026-11-10&spent_to=2026-11-01")
    assert "spent_to" in bad.context["form"].errors


def test_the_export_keeps_the_segment(analysed, staff_client):  # noqa: F811
    client = staff_client(Role.OWNER)
    answer = client.get(PAGE + f"&member_types={analysed.vip.pk}&format=csv")
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()[1:]
    amounts = {line.split(",")[1]: Decimal(line.split(",")[-1]) for line in lines[:-1]}
    assert amounts == {"SKU1": Decimal("40000"), "CHIPS": Decimal("100"), "COLA": Decimal("40")}
    assert Decimal(lines[-1].split(",")[-1]) == Decimal("40140")  # the totals row
