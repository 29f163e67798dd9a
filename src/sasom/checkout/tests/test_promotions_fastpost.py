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
    promo_compile.promotions_forget()
    fresh = promo_compile.promotion_set_for(b2g1.organization_id)
    assert fresh is not None and fresh is not pset
    with CaptureQueriesContext(connection) as changed:
        again = promo.definitions(b2g1.organization_id, fresh, [b2g1.pk])
    # then the warm one reads nothing, the new set reads the row as it is now
    assert len(warm.captured_queries) == 0 and rows[0]["code"] == "B2G1"
    assert len(changed.captured_queries) == 1 and again[0]["name"] == "ซื้อ 2 แถม 1 ใหม่"


def test_the_first_miss_reads_the_definitions_of_the_whole_set(b2g1, shop, vip, pos):
    # given two promotions, and a first sale that gets only "buy 2 get 1" on chips
    beer = promotion(shop, "BEER5", "qty_percent", {"bands": [{"from": 2, "value": "5"}]}, ["BEER"])
    assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-1")).status_code == 201
    pset = promo_compile.promotion_set_for(b2g1.organization_id)
    # when a later sale's snapshot names the other promotion, met for the first time
    with CaptureQueriesContext(connection) as later:
        rows = promo.definitions(b2g1.organization_id, pset, [beer.pk])
    # then it was read with the first one's: no query now
    assert len(later.captured_queries) == 0 and [r["code"] for r in rows] == ["BEER5"]


def test_the_commit_asks_for_no_hints_and_the_quote_does(b2g1, vip, pos, monkeypatch):
    # given the engine watched: which calls ask for the "add N more" hints
    asked = []

    def watched(pset, lines, ctx, *, hints=True):
        asked.append(hints)
        return real_resolve(pset, lines, ctx, hints=hints)

    monkeypatch.setattr(promo, "resolve", watched)
    # when a basket of 3 bags is quoted and then committed
    quoted = post(pos, "/api/v1/sales/quote", body(("CHIPS", "3")))
    committed = post(pos, "/api/v1/sales", body(("CHIPS", "3")))
    # then the quote asked for hints, the commit did not, and both priced the same free bag
    assert quoted.status_code == 200 and committed.status_code == 201, committed.content
    assert asked == [True, False]
    discounts = [D(a.json()["lines"][0]["promotion_discount"]) for a in (quoted, committed)]
    assert discounts == [D("20.00"), D("20.00")]


real_resolve = promo.resolve


def test_the_limits_are_looked_up_only_when_a_promotion_has_one(b2g1, shop, vip, pos, monkeypatch):
    # given the limits' look-up watched, and "buy 2 get 1" with neither a budget nor a member limit
    looked = []
    monkeypatch.setattr(promo, "counts_for", lambda *a, **kw: looked.append(1) or real_counts(*a, **kw))
    assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-1")).status_code == 201
    # then no look-up was made
    assert looked == []
    # when a promotion with a per-member limit is added (a new compiled set)
    promotion(shop, "ONCE", "qty_percent", {"bands": [{"from": 1, "value": "5"}]}, ["BEER"], per_member_limit=1)
    second = post(pos, "/api/v1/sales", body(("BEER", "1"), receipt="R-2"))
    # then the look-up runs again, and the limit holds on the next bill
    assert looked
    third = post(pos, "/api/v1/sales", body(("BEER", "1"), receipt="R-3"))
    assert second.status_code == third.status_code == 201, third.content
    assert D(second.json()["lines"][0]["promotion_discount"]) > 0
    assert D(third.json()["lines"][0]["promotion_discount"]) == 0


real_counts = promo.counts_for
