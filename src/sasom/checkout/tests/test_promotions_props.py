"""Quote == commit with POS promotions (DOMAIN.md 9), over random baskets: a few promotions that
compete for the same units (buy 2 get 1 and buy 3 get 2 on chips, buy 1 get 1 on rice, a gift on
beer, the engine's own kinds), 10 % off any 2 of rice and beer that stacks, members and walk-ins,
in either order of lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sasom.catalog.pricing import LineIn
from sasom.checkout import services
from sasom.checkout.tests.promo_shop import promotion
from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.models import Sale, SaleLine
from sasom.ledger.plan import line_rows
from sasom.testing.properties import db_property

RECEIPTS = itertools.count(1)  # examples share their fixtures (and the rows posted)
WHEN = dt.datetime(2026, 11, 24, 5, 30, tzinfo=dt.UTC)


def quote_and_commit(org, terminal, member, lines, receipt):
    sent = tuple(LineIn(line_no=i, code=sku, quantity=Decimal(qty), unit_price=None)
                 for i, (sku, qty) in enumerate(lines, start=1))
    basket = engine.Basket(occurred_at=WHEN, lines=(), branch_code=terminal.branch.code, terminal_code=terminal.code)
    q = services.sale_quote(organization=org, branch=terminal.branch, basket=basket, member=member, sent=sent)
    rows, gross = line_rows(q.basket)
    quoted = gross - sum((r.discount for r in rows), Decimal("0"))
    done = services.sale_commit(organization=org, branch=terminal.branch, terminal=terminal, receipt_id=receipt,
                                basket=basket, member=member, sent=sent, actor=Actor.system("test"))
    return quoted, Sale.objects.get(pk=done.sale.pk)


@pytest.fixture
def promoted(shop):
    promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], priority=1)
    promotion(shop, "B3G2", "qty_free", {"bands": [{"from": 3, "value": 2}]}, ["CHIPS"], priority=2)
    promotion(shop, "RICE11", "qty_free", {"bands": [{"from": 1, "value": 1}], "repeat": True}, ["RICE"])
    promotion(shop, "BEERGIFT", "mix_gift", {"mix": [{"sku": "BEER", "quantity": 1}], "gifts": ["CHIPS"]}, [])
    promotion(shop, "ANY2", "group_percent", {"quantity": 2, "percent": "10"}, ["RICE", "BEER"], stacks=True)
    return shop


BASKETS = st.lists(st.tuples(st.sampled_from(["CHIPS", "RICE", "BEER"]), st.integers(min_value=1, max_value=9)),
                   min_size=1, max_size=4)


@db_property(max_examples=15)
@given(lines=BASKETS, member=st.booleans())
def test_the_quote_is_what_the_commit_posts(promoted, vip, terminal, lines, member):
    quoted, sale = quote_and_commit(promoted, terminal, vip if member else None, lines, f"P-{next(RECEIPTS)}")
    stored = list(SaleLine.objects.filter(sale=sale).order_by("line_no"))
    assert quoted == sale.net
    assert all(ln.net >= 0 and ln.promotion_discount <= ln.discount for ln in stored)
    assert sale.net >= 0


@db_property(max_examples=10)
@given(lines=BASKETS)
def test_the_order_of_the_lines_does_not_change_the_bill(promoted, terminal, lines):
    forward, _ = quote_and_commit(promoted, terminal, None, lines, f"F-{next(RECEIPTS)}")
    backward, _ = quote_and_commit(promoted, terminal, None, list(reversed(lines)), f"B-{next(RECEIPTS)}")
    assert forward == backward
