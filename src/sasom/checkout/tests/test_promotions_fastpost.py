"""A promoted sale on the fast path (docs/promotions.md, "The commit", step 2): on PostgreSQL the
one-call function posts it with its promotion uses, a member's per-member limit reached since the
quote sends it down the locked path (posted without that promotion), and the snapshot's stored
definitions are read once per compiled set, not per sale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.checkout import promo
from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.models import Sale, SaleLine
from sasom.promotions import compile as promo_compile
from sasom.promotions.models import Promotion, PromotionUse

D = Decimal
ON_POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's")


@ON_POSTGRES
def test_a_promoted_member_sale_posts_in_one_call_with_its_use(b2g1, vip, pos):
    # given "buy 2 get 1" on chips and a VIP buying 3 bags
    with CaptureQueriesContext(connection) as queries:
        answer = post(pos, "/api/v1/sales", body(("CHIPS", "3")))
    # then the sale is posted by the function, its use and count with it (no ORM insert of a use)
    assert answer.status_code == 201, answer.content
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("sasom_sale_post" in q for q in sql)  # prepared once per connection, then executed
    assert not any("INSERT" in q and "promotions_promotionuse" in q for q in sql)
    use = PromotionUse.objects.get()
    assert (use.promotion_id, use.member_id, use.times, use.discount, use.units) == (
        b2g1.pk, vip.pk, 1, D("20.00"), D("3.000"))
    assert Promotion.objects.get(pk=b2g1.pk).uses == 1


@ON_POSTGRES
def test_a_member_limit_reached_after_pricing_posts_the_sale_without_it(shop, vip, pos, monkeypatch):
    # given "buy 2 get 1" once per member, and a till whose counts were read before the member's
    # other till used it (the counts the function sees under the lock are newer)
    row = promotion(shop, "ONCE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], per_member_limit=1)
    assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-0")).status_code == 201
    monkeypatch.setattr(promo, "uses_read", lambda *a, **kw: ({}, {}) if not kw.get("lock") else real(*a, **kw))
    # when the next sale of 3 bags is committed
    answer = post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-1"))
    # then the function refused it and the locked path posted it without the promotion, counted once
    assert answer.status_code == 201, answer.content
    assert SaleLine.objects.get(sale__receipt_id="R-1").promotion_discount == D("0.00")
    assert PromotionUse.objects.count() == 1 and Promotion.objects.get(pk=row.pk).uses == 1
    assert Sale.objects.count() == 2


real = promo.uses_read


def test_the_snapshot_reads_the_promotions_definitions_once_per_compiled_set(b2g1, vip, pos):
    # given a first promoted sale (the set compiled, its definitions read)
    assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-1")).status_code == 201
    pset = promo_compile.promotion_set_for(b2g1.organization_id)
    # when the next sale's snapshot is built, and then after the promotion changed (a new set)
    with CaptureQueriesContext(connection) as warm:
        rows = promo.definitions(b2g1.organization_id, pset, [b2g1.pk])
    Promotion.objects.filter(pk=b2g1.pk).update(name="ซื้อ 2 แถม 1 ใหม่")
    with CaptureQueriesContext(connection) as changed:
        again = promo.definitions(b2g1.organization_id, object(), [b2g1.pk])  # type: ignore[arg-type]
    # then the warm one reads nothing, the new set reads the row as it is now
    assert len(warm.captured_queries) == 0 and rows[0]["code"] == "B2G1"
    assert len(changed.captured_queries) == 1 and again[0]["name"] == "ซื้อ 2 แถม 1 ใหม่"
