"""Builders the engine's tests share (no test here): lines, a context, promotions from a kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.resolver import resolve
from sasom.promotions.engine.types import (
    MODE_PRIORITY,
    Conditions,
    Context,
    ItemSet,
    Line,
    Promotion,
    Result,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
AT = datetime(2026, 3, 4, 12, 30, tzinfo=BANGKOK)  # a Wednesday


def D(value: str | int) -> Decimal:
    return Decimal(str(value))


def line(index: int, sku: str, quantity: str | int, price: str | int, *, categories: tuple[str, ...] = (),
         brand: str = "", discount: str | int = 0, list_price: str | int | None = None) -> Line:
    return Line(index=index, sku=sku, categories=frozenset(categories), brand=brand, quantity=D(quantity),
                unit_price=D(price), list_price=D(list_price if list_price is not None else price),
                discount=D(discount))


def ctx(**kw: Any) -> Context:
    kw.setdefault("at", AT)
    return Context(**kw)


def items(*skus: str, categories: tuple[str, ...] = (), brands: tuple[str, ...] = (),
          exclude: tuple[str, ...] = ()) -> ItemSet:
    return ItemSet(skus=frozenset(skus), categories=frozenset(categories), brands=frozenset(brands),
                   exclude_skus=frozenset(exclude))


_ids = iter(range(1, 10**9))


def promo(kind: str, params: Mapping[str, Any], item_set: ItemSet | None = None, *, code: str | None = None,
          priority: int = 100, stacks: bool = False, message: str = "", conditions: Conditions | None = None,
          pid: int | None = None) -> Promotion:
    """A promotion of ``kind`` built the way the stored promotions will be: cleaned, then built."""
    k = KINDS[kind]
    cleaned = k.clean(params)
    number = pid if pid is not None else next(_ids)
    return Promotion(id=number, code=code or f"P{number}", name=f"{kind} {number}", kind=kind,
                     rule=k.build(cleaned, item_set or ItemSet()), conditions=conditions or Conditions(),
                     priority=priority, stacks=stacks, message=message)


def price(promotions: list[Promotion], lines: list[Line], context: Context | None = None,
          mode: str = MODE_PRIORITY) -> Result:
    return resolve(promotion_set(mode, promotions), lines, context or ctx())


def bill(lines: list[Line], result: Result) -> Decimal:
    """What the basket's lines cost after the promotions (gifts added at their net)."""
    gifts = sum((g.unit_price * g.quantity for _, g in result.gifts), Decimal(0))
    return sum((ln.amount for ln in lines), Decimal(0)) - sum(result.line_discounts().values(), Decimal(0)) + gifts


def off(result: Result) -> dict[int, Decimal]:
    """Line index -> the promotions' discount on it, lines with a discount only (a line whose
    units a promotion consumed without a discount, a trigger's, is left out)."""
    return {i: d for i, d in result.line_discounts().items() if d}
