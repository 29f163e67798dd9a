"""One posting plan, three writers: the ORM writer (``sale_post``), the bulk writer of day-end
batches (``sales_post_bulk``) and, on PostgreSQL, the one-call SQL function (``sale_post_fast``)
store exactly the same rows for the same documents.

A hypothesis property posts random baskets (members of two types or none, birthdays, line and
bill discounts, odd quantities, replayed receipts, pending and expiring points) through every
writer, each inside a transaction rolled back after its rows are read, and compares every stored
row by its natural key. A second test holds the SQL function to the models: every concrete column
of every table it writes is named in its INSERTs, so a field added to a model cannot be silently
left to its default by one writer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from sasom.core.errors import DomainError
from sasom.core.events import KINDS, SALE_POSTED, subscribe
from sasom.core.models import OutboxEvent
from sasom.earning import engine
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.selectors import account_of
from sasom.ledger.services import BulkSale, sale_post, sales_post_bulk
from sasom.ledger.services.fastpost import sale_post_fast
from sasom.ledger.sql import sql_text
from sasom.ledger.tests.conftest import at
from sasom.ledger.tests.test_bulk import ACTOR, NOW, _rows, shop  # noqa: F401  (shop is a fixture)
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property

MONEY = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("3000.00"), places=2)
QUANTITY = st.sampled_from([Decimal("1"), Decimal("2"), Decimal("0.5"), Decimal("3.25"), Decimal("12")])


@st.composite
def basket_lines(draw: st.DrawFn) -> tuple[engine.BasketLine, ...]:
    lines = []
    for no in range(1, draw(st.integers(min_value=1, max_value=4)) + 1):
        qty, price = draw(QUANTITY), draw(MONEY)
        discount = draw(st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("1.50")]))
        discount = min(discount, (qty * price).quantize(Decimal("0.01"), rounding="ROUND_DOWN"))
        lines.append(engine.BasketLine(
            line_no=no, sku=draw(st.sampled_from(["A", "B", "LONG-" + "X" * 70])), quantity=qty, unit_price=price,
            discount=discount, category=draw(st.sampled_from(["", "food", "beauty"])), brand=draw(st.sampled_from(["", "X"])),
        ))
    return tuple(lines)


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[str, int | None, engine.Basket]]:
    """(receipt, member index or None, basket) — sometimes a receipt replayed with the same body."""
    docs: list[tuple[str, int | None, engine.Basket]] = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        if docs and draw(st.integers(min_value=0, max_value=5)) == 0:
            docs.append(docs[draw(st.integers(min_value=0, max_value=len(docs) - 1))])
            continue
        day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(min_value=0, max_value=70)))
        when = at(day.year, day.month, day.day, draw(st.integers(min_value=8, max_value=21)))
        basket = engine.Basket(
            occurred_at=when, lines=draw(basket_lines()),
            bill_discount=draw(st.sampled_from([Decimal("0"), Decimal("0.00"), Decimal("5.00")])),
            salesperson=draw(st.sampled_from(["", "S1"])), campaign_plan=draw(st.sampled_from(["", "P"])),
            bag_declined=draw(st.booleans()), document_type=draw(st.sampled_from(["retail_receipt", "tax_invoice"])),
        )
        if sum(ln.quantity * ln.unit_price - ln.discount for ln in basket.lines) < basket.bill_discount:
            basket = engine.Basket(occurred_at=when, lines=basket.lines)
        if draw(st.booleans()):  # POS promotions on the first line (checkout.promo's pricing notes)
            first = basket.lines[0]
            notes = [(first.line_no, "promotion:B2G1", str(first.discount), "Buy 2 get 1")]
            if draw(st.booleans()):
                notes.append((first.line_no, "promotion:SET", "0", "A set"))
            basket = dataclasses.replace(basket, pricing=tuple(notes))
        docs.append((f"R-{n}", draw(st.sampled_from([None, 0, 1, 2])), basket))
    return docs


class _Rollback(Exception):
    pass


def _events() -> list:
    """The outbox's events in the order recorded, sale and entry ids named by receipt (ids differ
    from one writer's run to the next)."""
    sales = dict(Sale.objects.values_list("id", "receipt_id"))
    entries = {pk: (sales.get(sale_id), kind) for pk, sale_id, kind in Entry.objects.values_list("id", "sale_id", "kind")}
    out = []
    for kind, payload in OutboxEvent.objects.order_by("id").values_list("kind", "payload"):
        named = dict(payload)
        if "sale_id" in named:
            named["sale_id"] = sales.get(named["sale_id"])
        if "entry_id" in named:
            named["entry_id"] = entries.get(named["entry_id"])
        out.append((kind, named))
    return out


def _posted(write) -> dict:
    """The rows ``write()`` stores, read inside a transaction that is then rolled back."""
    rows: dict = {}
    try:
        with transaction.atomic():
            receipts = write()
            rows = _rows(receipts) | {"events": _events()}
            raise _Rollback
    except _Rollback:
        pass
    return rows


@pytest.fixture(autouse=True)
def _outbox():
    """An asynchronous subscriber to every event: each writer's events land in the outbox."""
    undo = [subscribe(kind, None) for kind in KINDS]
    yield
    for u in undo:
        u()


@pytest.fixture
def people(org, member_type, shop):  # noqa: F811  (shop: the VIP type, rules, expiry, a webhook)
    return [
        MemberFactory(organization=org, member_type=member_type, code="M0"),
        MemberFactory(organization=org, member_type=shop, code="M1", birth_on=dt.date(1990, 2, 14)),
        MemberFactory(organization=org, member_type=member_type, code="M2", birth_on=dt.date(1985, 1, 1)),
    ]


@db_property(max_examples=30)
@given(docs=documents())
def test_every_writer_stores_the_same_rows(org, branch, terminal, people, docs):
    # given random documents of random members
    def member(i):
        return None if i is None else people[i]

    def orm():
        for receipt, who, basket in docs:
            try:
                sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=receipt, basket=basket,
                          member=member(who), actor=ACTOR, now=NOW)
            except DomainError:
                pass
        return {d[0] for d in docs}

    def bulk():
        items = [BulkSale(branch=branch, terminal=terminal, receipt_id=r, basket=b, member=member(w))
                 for r, w, b in docs]
        sales_post_bulk(organization=org, items=items, actor=ACTOR, now=NOW)
        return {d[0] for d in docs}

    def fast():
        for receipt, who, basket in docs:
            m = member(who)
            try:
                result = sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id=receipt,
                                        basket=basket, member=m, account=account_of(m) if m else None, actor=ACTOR,
                                        now=NOW)
                assert result is not None, "a plain sale of a member without debt takes the fast path"
            except DomainError:
                pass
        return {d[0] for d in docs}

    # when they are posted by each writer (each on the same starting state)
    by_orm, by_bulk = _posted(orm), _posted(bulk)
    # then every stored row is the same
    assert by_bulk == by_orm
    assert len(by_orm["sales"]) == len({d[0] for d in docs})
    assert [k for k, _p in by_orm["events"]].count(SALE_POSTED) == len(by_orm["sales"])
    if connection.vendor == "postgresql":
        assert _posted(fast) == by_orm


# ------------------------------------------------------------------------ the SQL function's columns


def _inserted_columns(sql: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, columns in re.findall(r"INSERT INTO (\w+)(?: AS \w+)? \(([^)]*)\)", sql):
        out.setdefault(table, set()).update(c.strip() for c in columns.split(","))
    return out


@pytest.mark.parametrize("model", [Sale, SaleLine, Entry, Lot, PointAccount])
def test_the_sql_function_writes_every_column_of_the_rows_it_inserts(model):
    # given the function's SQL and the model's concrete columns (the id is the table's own)
    inserted = _inserted_columns(sql_text("sale_post"))
    columns = {f.column for f in model._meta.concrete_fields if not f.primary_key}
    # then the function's INSERT names each of them, and nothing else
    assert inserted[model._meta.db_table] == columns


def test_the_plan_names_every_column_the_writers_take_from_it():
    # given the plan's sale and line rows
    from sasom.ledger.plan import LineRow, SaleRow

    sale_columns = {f.attname for f in Sale._meta.concrete_fields}
    line_columns = {f.attname for f in SaleLine._meta.concrete_fields}
    # then a sale row is every column of a sale but those a writer decides (id, account, status, void)
    assert sale_columns - set(SaleRow.__slots__) == {"id", "account_id", "status", "voided_at", "void_reason"}
    assert line_columns - set(LineRow.__slots__) == {"id", "organization_id", "sale_id", "returned_quantity"}
