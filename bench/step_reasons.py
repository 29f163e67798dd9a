"""The app CPU a B1 sale spends on its priced lines' steps (issue 14: the steps' reasons stored as
data and shown in the reader's language; the numbers are in docs/performance.md).

    python -m bench.step_reasons [--sales 300] [--repeats 7]

Pure Python, no database (SQLite settings, nothing read): B1's baskets (``bench.workload``: 10
lines, a POS price on every line, half the SKUs with a member price, a member with a 2 % discount,
the POS's prices win, as ``catalog_setup`` saves them) priced by ``catalog.pricing.basket_price``
("price"), then their pricing notes made as the sale stores them (``checkout.pricing._priced_basket``:
"+store"), then their steps written for the sale's answer in Thai inside ``api_texts``
(``checkout.render_sale._steps``: "+show"). Fresh baskets for every repetition and step (B1's
prices rarely repeat, so the answers' caches see what they see under B1); the fastest repetition
of each, in microseconds of process CPU per sale. To compare with another tree, run this file
with that tree's ``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.step_reasons")
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from django.utils import translation

    from bench.workload import basket_lines
    from sasom.catalog.pricing import LineIn, ProductPrices, Terms, basket_price
    from sasom.checkout.pricing import _priced_basket
    from sasom.checkout.render_sale import _steps
    from sasom.core.currency import currency_of
    from sasom.earning.engine import Basket, BasketLine
    from sasom.promotions.texts import api_texts

    products = {}
    for i in range(400):
        sku = f"S{i:05d}"
        member = Decimal("95.00") if i % 2 == 0 else None
        products[sku] = ProductPrices(sku=sku, name=sku, category="", categories=frozenset(), brand="",
                                      excluded_from_points=False, list_price=Decimal("100.00"), list_source="base",
                                      member_price=member, member_source="table:BENCH" if member else "")
    terms = Terms(authority="pos", member_label="GEN", benefits_active=True, discount_percent=Decimal("2"), places=2)
    when = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)

    def baskets(seed: int) -> list[tuple[tuple[Any, ...], Any]]:
        rng = random.Random(seed)
        out = []
        for _ in range(args.sales):
            lines = tuple(LineIn(line_no=i, code=ln["sku"], quantity=Decimal(ln["quantity"]),
                                 unit_price=Decimal(ln["unit_price"]), category=ln["category"], brand=ln["brand"])
                          for i, ln in enumerate(basket_lines(rng), start=1))
            basket = Basket(occurred_at=when, lines=tuple(
                BasketLine(line_no=ln.line_no, sku=ln.code, quantity=ln.quantity, unit_price=ln.unit_price)
                for ln in lines))
            out.append((lines, basket))
        return out

    best = {"price": float("inf"), "+store": float("inf"), "+show": float("inf")}
    steps = 0
    with translation.override("th"), api_texts(currency_of(None)):
        for rep in range(args.repeats):
            for n, what in enumerate(best):
                todo = baskets(1000 * rep + n)
                started = time.process_time()
                for lines, basket in todo:
                    priced = basket_price(lines, products, terms, open_lines=True)
                    if what != "price":
                        taken = _priced_basket(basket, priced, lines)
                        steps = len(taken.pricing)
                        if what == "+show":
                            _steps(taken.pricing)
                best[what] = min(best[what], (time.process_time() - started) / args.sales * 1e6)
    print(f"{steps} steps a sale; us a sale: " + " ".join(f"{k} {v:.1f}" for k, v in best.items()))


if __name__ == "__main__":
    main()
