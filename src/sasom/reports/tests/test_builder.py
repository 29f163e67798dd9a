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
