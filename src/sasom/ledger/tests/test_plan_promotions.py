"""The promotions on a sale's lines, as the plan reads them from the pricing notes (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sasom.earning import engine
from sasom.ledger.plan import line_rows
from sasom.ledger.plan_promotions import line_promotions

D = Decimal


def test_each_line_sums_its_promotions_and_names_each_once():
    notes = ((1, "promotion:B2G1", "20.00", "Buy 2 get 1"), (1, "member_discount", "4.00", "VIP 10%"),
             (2, "promotion:SET", "5.50", "a set"), (2, "promotion:B2G1", "1", "again"),
             (2, "promotion:SET", "0.50", "a set, second step"), (0, "promotions_snapshot", "", "{}"))
    assert line_promotions(notes) == {1: (D("20.00"), "B2G1"), 2: (D("7.00"), "SET B2G1")}


def test_the_line_rows_carry_them_and_lines_without_any_carry_zero():
    basket = engine.Basket(
        occurred_at=dt.datetime(2026, 11, 24, 5, tzinfo=dt.UTC),
        lines=(engine.BasketLine(line_no=1, sku="CHIPS", quantity=D("3"), unit_price=D("20"), discount=D("24")),
               engine.BasketLine(line_no=2, sku="RICE", quantity=D("1"), unit_price=D("100"))),
        pricing=((1, "promotion:B2G1", "20.00", "Buy 2 get 1"), (1, "member_discount", "4.00", "VIP")),
    )
    rows, _gross = line_rows(basket)
    assert [(r.promotion_discount, r.promotions, r.net) for r in rows] == [
        (D("20.00"), "B2G1", D("36.00")), (D("0"), "", D("100.00"))]
