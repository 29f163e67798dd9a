"""Product, category or brand (สินค้าร่วมรายการ): listed lines earn more (docs/points.md 3.3)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.earning.arithmetic import Boost, Mode, fmt_money, fmt_points
from sasom.earning.bill import Bill
from sasom.earning.domain import Award, BasketLine
from sasom.earning.kinds._common import Kind, Param, Params, Rule, RuleHead, RuleKind, default_boost
from sasom.earning.kinds._params import (
    BOOST_PARAMS,
    boost_label,
    boost_of,
    boost_param,
    codes_param,
    fail,
)


@dataclass(frozen=True, slots=True)
class ProductRule(Rule):
    """Lines whose sku, category or brand is listed: ``multiply`` / ``extra_times`` their base
    points, or ``fixed`` points per bill (per unit when ``per_quantity``)."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    boost: Boost = field(default_factory=default_boost)
    per_quantity: bool = False

    kind: ClassVar[str] = Kind.PRODUCT

    def index_keys(self) -> tuple[tuple[str, str], ...]:
        return (
            tuple(("sku", v) for v in sorted(self.skus))
            + tuple(("category", v) for v in sorted(self.categories))
            + tuple(("brand", v) for v in sorted(self.brands))
        )

    def matches_line(self, line: BasketLine) -> bool:
        return (
            line.sku in self.skus
            or (bool(line.category) and line.category in self.categories)
            or (bool(line.brand) and line.brand in self.brands)
        )

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        return self.evaluate_lines(bill, tuple(i for i in bill.eligible_pos if self.matches_line(bill.lines[i])))

    def evaluate_lines(self, bill: Bill, hits: tuple[int, ...]) -> tuple[Award, ...]:
        """``evaluate`` when the lines that match are known (the rule set's index found them):
        ``hits`` are the positions of the basket's lines that match, in order."""
        eligible = bill.eligible_pos
        positions = hits if hits == eligible else tuple(i for i in hits if i in eligible)
        if not positions:
            return ()
        amount = bill.net_of(positions)
        if self.boost.mode == Mode.FIXED and self.per_quantity:
            qty = sum((Fraction(bill.lines[i].quantity) for i in positions), Fraction(0))
            points = math.floor(qty * Fraction(self.boost.value))
            phrase = f"{fmt_points(qty)} units × {int(self.boost.value)} pts = {points} pts"
        else:
            points, phrase = self.boost.apply(bill.base_of(positions))
        text = f"{self.name}: matched lines {fmt_money(amount, bill.places)} {bill.currency}: {phrase}"
        return self.award(
            points,
            amount,
            text,
            multiplier=self.boost.multiplier,
            extra=points if self.boost.mode == Mode.FIXED else None,
            line_nos=bill.line_nos(positions),
        )


def clean(p: Params) -> dict[str, Any]:
    out: dict[str, Any] = {
        "skus": codes_param(p, "skus"), "categories": codes_param(p, "categories"), "brands": codes_param(p, "brands"),
    }
    if not (out["skus"] or out["categories"] or out["brands"]):
        raise fail("categories", "name at least one sku, category or brand")
    out.update(boost_param(p))
    out["per_quantity"] = bool(p.get("per_quantity")) and out["mode"] == Mode.FIXED
    return out


def build(head: RuleHead, p: Params) -> ProductRule:
    return head.make(
        ProductRule, skus=frozenset(p["skus"]), categories=frozenset(p["categories"]),
        brands=frozenset(p["brands"]), boost=boost_of(p), per_quantity=bool(p.get("per_quantity")),
    )


def explain(p: Params) -> str:
    what = ", ".join(p.get("skus", []) + p.get("categories", []) + p.get("brands", []))
    return f"{what}: {boost_label(p)}"


KIND = RuleKind(
    code=Kind.PRODUCT,
    label=_("Product / category / brand"),
    description=_(
        "Lines whose SKU, category or brand is listed multiply their base points, earn extra "
        "times their base points, or earn fixed points (per bill or per unit)."
    ),
    params=(
        Param("skus", "SKUs that match"),
        Param("categories", "categories that match"),
        Param("brands", "brands that match"),
        *BOOST_PARAMS,
        Param("per_quantity", "fixed mode: points per unit"),
    ),
    rule_class=ProductRule,
    clean=clean,
    build=build,
    explain=explain,
)
