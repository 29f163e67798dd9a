"""A day-end chunk priced at once (``checkout.batch_pricing.baskets_priced``) gives every document
the basket ``basket_priced`` gives it alone, refusals included, with one catalog query per branch,
day and member price table instead of one per document.

The shop is ``test_priced_basket``'s: a VIP table (rice 90.00, 85.00 at B1), a general table
(chips 18.00 at B2), a barcode for the chips, alcohol without member discount, Sasom's prices win
and no open lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.catalog import price_tables
from sasom.checkout.batch import sales_commit_batch
from sasom.checkout.batch_pricing import baskets_priced
from sasom.checkout.pricing import basket_priced
from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.models import Sale, SaleLine
from sasom.ledger.services.bulk import BulkSale
from sasom.ledger.tests.conftest import at
from sasom.promotions.models import Promotion, PromotionUse
from sasom.testing.factories import MemberFactory, MemberTypeFactory, TerminalFactory

SYSTEM = Actor.system("test")

DAYS = (at(2026, 3, 10, 12), at(2026, 6, 10, 18, 30), at(2024, 1, 2, 9))  # the last is past the batches' window
BASKETS = (
    (("RICE", "2", "100.00"),),
    (("8850001", "3", "20.00"), ("BEER", "1", "60.00")),
    (("RICE", "1", "95.00"), ("CHIPS", "2", "18.00"), ("GIFT", "1", "500.00")),
    (("NOPE", "1", "10.00"),),  # not in the catalog, and the shop takes no open lines
)


def _basket(lines, when, bill_discount="0") -> engine.Basket:
    return engine.Basket(occurred_at=when, bill_discount=Decimal(bill_discount), lines=tuple(
        engine.BasketLine(line_no=n, sku=sku, quantity=Decimal(q), unit_price=Decimal(p))
        for n, (sku, q, p) in enumerate(lines, start=1)))


@pytest.fixture
def members(org, shop, vip, vip_type):
    plain = MemberTypeFactory(organization=org, code="PLAIN", discount_percent=Decimal("0"))
    staff = MemberTypeFactory(organization=org, code="STAFF", discount_percent=Decimal("20"))
    staff_table = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="STAFF", name="Staff",
                                                  member_types=["STAFF"])
    price_tables.price_set(table=staff_table, actor=SYSTEM, product_code="CHIPS", price="15.00")
    price_tables.price_set(table=staff_table, actor=SYSTEM, product_code="BEER", price="50.00", branch="B2")
    lapsed = MemberFactory(organization=org, member_type=vip_type, expires_on=dt.date(2026, 5, 1),
                           birth_on=dt.date(1985, 6, 2), phone="+66899990001")
    return [None, vip, lapsed, MemberFactory(organization=org, member_type=plain, phone="+66899990002"),
            MemberFactory(organization=org, member_type=staff, phone="+66899990003")]


def _catalog_reads(queries) -> list[str]:
    """The catalog queries run (on PostgreSQL each an EXECUTE of the statement prepared once)."""
    sqls = [q["sql"] for q in queries.captured_queries]
    return [s for s in sqls if not s.startswith("PREPARE") and ("catalog_product" in s or "basket_products" in s)]


def _outcome(result):
    if isinstance(result, DomainError):
        return ("refused", result.code, result.field, str(result.message))
    return result


def test_a_chunk_priced_at_once_equals_each_document_priced_alone(org, branch, branch2, terminal, members, settings):
    settings.SALE_BATCH_BACKPOST_DAYS = 400
    # given documents of every member type, at both branches, on three days, with four baskets
    t2 = TerminalFactory(organization=org, branch=branch2, code="B2-T1")
    items = [
        BulkSale(branch=b, terminal=t, receipt_id=f"R{i}", basket=_basket(lines, when), member=member)
        for i, (member, (b, t), when, lines) in enumerate(
            itertools.product(members, [(branch, terminal), (branch2, t2)], DAYS, BASKETS))
    ]
    items.append(BulkSale(branch=branch, terminal=terminal, receipt_id="R-big-discount",
                          basket=_basket(BASKETS[0], DAYS[0], bill_discount="500.00"), member=members[1]))
    # when the chunk is priced at once, counting the catalog's queries
    with CaptureQueriesContext(connection) as queries:
        chunk = baskets_priced(organization=org, items=items)
    # then each document is what basket_priced makes of it alone: prices, sources, flags, discounts, refusals
    alone = []
    for item in items:
        try:
            alone.append(basket_priced(organization=org, branch=item.branch, basket=item.basket, member=item.member,
                                       batch=True).basket)
        except DomainError as exc:
            alone.append(exc)
    assert [_outcome(r) for r in chunk] == [_outcome(r) for r in alone]
    refused = {r.code for r in chunk if isinstance(r, DomainError)}
    assert refused == {"unknown_product", "sale_too_old", "discount_above_bill"}
    priced = [r for r in chunk if not isinstance(r, DomainError)]
    assert {ln.price_source for b in priced for ln in b.lines} >= {"table:VIP@B1", "table:VIP", "table:STD@B2",
                                                                   "table:STAFF", "table:STAFF@B2", "base"}
    # and one catalog query per branch, day and price table (2 branches x 2 days x 3 tables: none, VIP, STAFF)
    assert len(_catalog_reads(queries)) == 12 < len(items)


def test_a_chunk_posts_the_prices_a_document_posted_alone_gets(org, branch, terminal, members):
    # given the same VIP basket in a chunk of documents and posted alone
    docs = [BulkSale(branch=branch, terminal=terminal, receipt_id=f"C{i}", basket=_basket(lines, DAYS[1]),
                     member=members[1]) for i, lines in enumerate(BASKETS[:3])]
    # when the chunk is posted
    outcomes = sales_commit_batch(organization=org, items=docs, actor=SYSTEM)
    # then each sale carries the priced lines: the VIP price at B1 (85.00) less 10 %
    assert all(o.created and o.error is None for o in outcomes)
    rice = Sale.objects.get(receipt_id="C0").lines.get()
    assert (rice.unit_price, rice.price_source, rice.member_discount, rice.net) == (
        Decimal("85.00"), "table:VIP@B1", Decimal("17.00"), Decimal("153.00"))


def test_without_pricing_settings_the_baskets_are_taken_as_sent(org, branch, terminal, settings):
    settings.SALE_BATCH_BACKPOST_DAYS = 400
    # given a shop that never saved its pricing settings
    items = [BulkSale(branch=branch, terminal=terminal, receipt_id="S1", basket=_basket(BASKETS[3], DAYS[1])),
             BulkSale(branch=branch, terminal=terminal, receipt_id="S2", basket=_basket(BASKETS[0], DAYS[2]))]
    # when priced, no catalog query is made and the lines are as sent
    with CaptureQueriesContext(connection) as queries:
        chunk = baskets_priced(organization=org, items=items)
    assert not _catalog_reads(queries)
    assert chunk[0] == items[0].basket
    assert isinstance(chunk[1], DomainError) and chunk[1].code == "sale_too_old"


def test_a_day_end_chunk_runs_no_promotions_so_the_bulk_writer_stores_no_unchecked_use(org, branch, terminal, vip,
                                                                                       b2g1):
    # given an active "buy 2 chips, get 1 free" with a budget of one bill, which the till applies to 3 bags
    Promotion.objects.filter(pk=b2g1.pk).update(budget=1)
    basket = _basket((("CHIPS", "3", "20.00"),), DAYS[1])
    assert basket_priced(organization=org, branch=branch, basket=basket, member=vip).promoted
    # when two such documents come in a day-end chunk (the bulk writer checks no budget)
    docs = [BulkSale(branch=branch, terminal=terminal, receipt_id=f"P{i}", basket=basket, member=vip) for i in (1, 2)]
    outcomes = sales_commit_batch(organization=org, items=docs, actor=SYSTEM)
    # then both post at the catalog's prices without the promotion: no use stored, its budget untouched
    assert [o.created for o in outcomes] == [True, True]
    assert not PromotionUse.objects.exists()
    assert Promotion.objects.get(pk=b2g1.pk).uses == 0
    assert {ln.promotion_discount for ln in SaleLine.objects.filter(sale__receipt_id__in=["P1", "P2"])} == {Decimal("0")}
