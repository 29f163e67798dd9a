"""One posting plan, three writers: the ORM writer (``sale_post``), the bulk writer of day-end
batches (``sales_post_bulk``) and, on PostgreSQL, the one-call SQL function (``sale_post_fast``)
store exactly the same rows for the same documents; a plan of the wire format before
(``sasom_sale_post``, kept for the processes of the release before) stores them too.

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
import json
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from sasom.catalog.pricing import MEMBER_DISCOUNT, NO_BENEFITS
from sasom.checkout.promo_texts import said_stored
from sasom.core.errors import DomainError
from sasom.core.events import KINDS, SALE_POSTED, subscribe
from sasom.core.models import OutboxEvent
from sasom.earning import engine
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.plan_promotions import SNAPSHOT, promotion_uses
from sasom.ledger.selectors import account_of
from sasom.ledger.services import BulkSale, sale_post, sales_post_bulk
from sasom.ledger.services.fastpost import sale_post_fast
from sasom.ledger.sql import sql_text
from sasom.ledger.tests.conftest import at
from sasom.ledger.tests.test_bulk import ACTOR, NOW, _rows, shop  # noqa: F401  (shop is a fixture)
from sasom.promotions.models import Promotion, PromotionUse
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property

MONEY = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("3000.00"), places=2)
# member type labels as a reason keeps them: quotes, a backslash, Thai and Persian
LABELS = st.sampled_from(["VIP", 'say "hi"', "a\\b", "วีไอพี", "طلایی", "100%"])
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
        notes: list[tuple[int, str, str, str]] = []
        if draw(st.booleans()):  # the catalog's steps, stored as data (checkout.promo_texts.said_stored)
            line = basket.lines[-1]
            notes.append((line.line_no, "member_discount", "1.00", said_stored(
                MEMBER_DISCOUNT, (("type", draw(LABELS)), ("percent", "10"), ("base", line.unit_price)), 2)))
            notes.append((0, "no_member_discount", "", said_stored(NO_BENEFITS["expired"], (), 2)))
            basket = dataclasses.replace(basket, pricing=tuple(notes))
        if draw(st.booleans()):  # POS promotions on the first line (checkout.promo's pricing notes)
            first = basket.lines[0]
            notes = [*notes, (first.line_no, "promotion:B2G1", str(first.discount), "Buy 2 get 1")]
            uses = [["B2G1", draw(st.integers(min_value=1, max_value=3)), str(first.discount), "2"]]
            if draw(st.booleans()):
                notes.append((first.line_no, "promotion:SET", "0", "A set"))
                uses.append(["SET", 1, "0.00", draw(st.sampled_from(["1", "0.5", "3.25"]))])
            if draw(st.booleans()):  # the snapshot with the uses the writers store (by code here)
                notes.append((0, SNAPSHOT, "", json.dumps({"mode": "best", "uses": uses})))
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


def _uses() -> dict:
    """The promotions' uses by (receipt, promotion code), and each promotion's count of bills."""
    sales = dict(Sale.objects.values_list("id", "receipt_id"))
    codes = dict(Promotion.objects.values_list("id", "code"))
    return {
        "uses": sorted(
            (sales[u.pop("sale_id")], codes[u.pop("promotion_id")], sorted((k, str(v)) for k, v in u.items() if k != "id"))
            for u in PromotionUse.objects.values()
        ),
        "counts": sorted(Promotion.objects.values_list("code", "uses")),
    }


def _with_ids(basket: engine.Basket, ids: dict[str, int]) -> engine.Basket:
    """The basket with its snapshot's uses naming the promotions by id, as checkout.promo writes them."""
    notes = []
    for no, kind, amount, reason in basket.pricing:
        if kind == SNAPSHOT:
            data = json.loads(reason)
            data["uses"] = [[ids[code], *rest] for code, *rest in data["uses"]]
            reason = json.dumps(data)
        notes.append((no, kind, amount, reason))
    return dataclasses.replace(basket, pricing=tuple(notes))


def _posted(write) -> dict:
    """The rows ``write()`` stores, read inside a transaction that is then rolled back."""
    rows: dict = {}
    try:
        with transaction.atomic():
            receipts = write()
            rows = _rows(receipts) | {"events": _events()} | _uses()
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


@pytest.fixture
def promotions(org):
    """Two promotions the baskets' snapshots name: one with a budget and a per-member limit the
    documents never reach, one without limits."""
    limited = Promotion.objects.create(organization=org, code="B2G1", name="Buy 2 get 1", kind="buy_x_get_y",
                                       status="active", budget=1000, per_member_limit=100, uses=7)
    free = Promotion.objects.create(organization=org, code="SET", name="A set", kind="set_price", status="active")
    return {"B2G1": limited.pk, "SET": free.pk}


@db_property(max_examples=30)
@given(docs=documents())
def test_every_writer_stores_the_same_rows(org, branch, terminal, people, promotions, docs):
    # given random documents of random members, some with POS promotions and their uses
    docs = [(receipt, who, _with_ids(basket, promotions)) for receipt, who, basket in docs]

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
    first_of = {r: b for r, _w, b in reversed(docs)}  # a replayed receipt repeats its first document
    assert len(by_orm["uses"]) == sum(len(promotion_uses(first_of[r].pricing)) for r in by_orm["sales"])
    if connection.vendor == "postgresql":
        assert _posted(fast) == by_orm


# ------------------------------------------------------------------------ the SQL function's columns


def _inserted_columns(sql: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, columns in re.findall(r"INSERT INTO (\w+)(?: AS \w+)? \(([^)]*)\)", sql):
        out.setdefault(table, set()).update(c.strip() for c in columns.split(","))
    return out


@pytest.mark.parametrize("model", [Sale, SaleLine, Entry, Lot, PointAccount, PromotionUse])
def test_the_sql_function_writes_every_column_of_the_rows_it_inserts(model):
    # given the function's SQL (wire format 2's) and the model's concrete columns (the id is the table's own)
    inserted = _inserted_columns(sql_text("sale_post2"))
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


# ------------------------------------------------------------------------ the SQL function's limits


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL function is PostgreSQL's")
@pytest.mark.parametrize("limit", ["budget", "per_member"])
def test_the_sql_function_refuses_a_sale_whose_promotion_ran_out(org, branch, terminal, people, promotions, limit):
    # given a promotion whose budget is spent, or whose per-member limit this member reached
    member = people[0]
    promo = Promotion.objects.get(pk=promotions["B2G1"])
    if limit == "budget":
        Promotion.objects.filter(pk=promo.pk).update(budget=7)  # 7 bills used of 7
    else:
        Promotion.objects.filter(pk=promo.pk).update(per_member_limit=1)
        sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="EARLIER", member=member,
                  basket=_promoted(at(2026, 1, 2, 10), promotions), actor=ACTOR, now=NOW)
    before = (Sale.objects.count(), PromotionUse.objects.count(), Promotion.objects.get(pk=promo.pk).uses)
    # when a sale priced with it reaches the function
    result = sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id="LATE", member=member,
                            account=account_of(member), basket=_promoted(at(2026, 1, 3, 10), promotions),
                            actor=ACTOR, now=NOW)
    # then it is refused (the checkout prices again under the locks) and nothing is written
    assert result is None
    assert (Sale.objects.count(), PromotionUse.objects.count(), Promotion.objects.get(pk=promo.pk).uses) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL function is PostgreSQL's")
def test_the_sql_function_counts_a_promotion_with_room_left(org, branch, terminal, people, promotions):
    # given a promotion with one bill of budget left, and a member at one use below the limit
    Promotion.objects.filter(pk=promotions["B2G1"]).update(budget=8, per_member_limit=1)
    member = people[1]
    # when a sale with it and an unlimited one is posted by the function
    result = sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id="LAST", member=member,
                            account=account_of(member), basket=_promoted(at(2026, 1, 3, 10), promotions),
                            actor=ACTOR, now=NOW)
    # then the sale, its two uses and both counts are stored
    assert result is not None and result.created
    stored = {u.promotion_id: u for u in PromotionUse.objects.filter(sale_id=result.sale.pk)}
    assert set(stored) == set(promotions.values())
    assert stored[promotions["B2G1"]].member_id == member.pk and stored[promotions["B2G1"]].times == 2
    assert dict(Promotion.objects.values_list("code", "uses")) == {"B2G1": 8, "SET": 1}


def _promoted(when: dt.datetime, ids: dict[str, int]) -> engine.Basket:
    line = engine.BasketLine(line_no=1, sku="A", quantity=Decimal("3"), unit_price=Decimal("10.00"),
                             discount=Decimal("10.00"))
    uses = [[ids["B2G1"], 2, "10.00", "3"], [ids["SET"], 1, "0.00", "1"]]
    return engine.Basket(occurred_at=when, lines=(line,), pricing=(
        (1, "promotion:B2G1", "10.00", "Buy 2 get 1"), (0, SNAPSHOT, "", json.dumps({"uses": uses}))))


# ------------------------------------------------------------------------ the plan's wire formats


def _format_1(plan) -> str:
    """A plan in wire format 1, as the release before format 2 sent it to ``sasom_sale_post``
    (an object with a key per value; ``ledger/sql/sale_post.sql``)."""
    s, e = plan.sale, plan.earn
    data = {
        "org": s.organization_id, "branch": s.branch_id, "terminal": s.terminal_id, "receipt_id": s.receipt_id,
        "document_type": s.document_type, "occurred_at": s.occurred_at.isoformat(),
        "recorded_at": s.recorded_at.isoformat(), "member": s.member_id,
        "expect_first": plan.expect.first_purchase if plan.expect else None,
        "expect_debt": plan.expect.debt if plan.expect else None,
        "member_type_code": s.member_type_code, "salesperson": s.salesperson, "campaign_plan": s.campaign_plan,
        "bag_declined": s.bag_declined, "gross": str(s.gross), "discounts": str(s.discounts),
        "bill_discount": str(s.bill_discount), "coupon_discount": str(s.coupon_discount),
        "points_discount": str(s.points_discount), "net": str(s.net), "eligible_net": str(s.eligible_net),
        "points_earned": s.points_earned, "referrer_points": s.referrer_points, "points_used": s.points_used,
        "donation": str(s.donation), "member_discount": str(s.member_discount),
        "price_flagged": s.price_flagged, "explanation": s.explanation, "body_hash": s.body_hash,
        "actor_label": s.actor_label, "staff_user": s.staff_user_id,
        "lines": [
            {"line_no": ln.line_no, "sku": ln.sku, "category": ln.category, "brand": ln.brand,
             "quantity": str(ln.quantity), "unit_price": str(ln.unit_price), "discount": str(ln.discount),
             "net": str(ln.net), "list_price": None if ln.list_price is None else str(ln.list_price),
             "price_source": ln.price_source, "price_flag": ln.price_flag,
             "member_discount": str(ln.member_discount), "excluded_from_points": ln.excluded_from_points,
             "promotion_discount": str(ln.promotion_discount), "promotions": ln.promotions}
            for ln in plan.lines
        ],
        "earn": None if e is None else {
            "amount": e.amount, "debt_paid": e.debt_paid, "lot_amount": e.lot_amount,
            "expires_on": e.expires_on.isoformat() if e.expires_on else None,
            "pending_until": e.pending_until.isoformat() if e.pending_until else None,
            "explanation": e.explanation,
        },
        "delta": {"spendable": plan.delta.spendable, "pending": plan.delta.pending,
                  "lifetime_earned": plan.delta.lifetime_earned, "debt": plan.delta.debt,
                  "sale_count": plan.delta.sale_count},
        "uses": [[u.promotion_id, u.times, str(u.discount), str(u.units)] for u in plan.promotion_uses],
    }
    return json.dumps(data, separators=(",", ":"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL functions are PostgreSQL's")
def test_a_plan_of_the_format_before_still_posts_the_same_rows(org, branch, terminal, people, promotions,
                                                                 monkeypatch):
    # given the same documents (members with and without points, a promotion, a replay)
    from sasom.ledger.services import fastpost

    when = at(2026, 1, 5, 10)
    line = engine.BasketLine(line_no=1, sku="A", quantity=Decimal("2"), unit_price=Decimal("150.00"),
                             discount=Decimal("0"), category="food")
    docs = [("R-1", people[0], engine.Basket(occurred_at=when, lines=(line,))),
            ("R-2", people[1], _promoted(at(2026, 1, 6, 10), promotions)),
            ("R-3", None, engine.Basket(occurred_at=when, lines=(line,))),
            ("R-1", people[0], engine.Basket(occurred_at=when, lines=(line,)))]

    def fast():
        for receipt, m, basket in docs:
            result = sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id=receipt,
                                    basket=basket, member=m, account=account_of(m) if m else None, actor=ACTOR,
                                    now=NOW)
            assert result is not None
        return {d[0] for d in docs}

    by_format_2 = _posted(fast)
    # when a process of the release before sends them in format 1 to sasom_sale_post
    monkeypatch.setattr(fastpost, "plan_json", _format_1)
    monkeypatch.setattr(fastpost, "WIRE_FUNCTION", "sasom_sale_post")
    monkeypatch.setattr(fastpost, "_CALL", "SELECT * FROM sasom_sale_post($1)")
    calls = []
    with connection.execute_wrapper(lambda execute, sql, *a: calls.append(sql) or execute(sql, *a)):
        by_format_1 = _posted(fast)
    # then that function still stores exactly the same rows
    assert any("sasom_sale_post_v1" in sql for sql in calls)
    assert by_format_1 == by_format_2
    assert len(by_format_2["sales"]) == 3 and by_format_2["entries"] and by_format_2["uses"]
