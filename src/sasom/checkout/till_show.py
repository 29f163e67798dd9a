"""What the till screen shows of a quote or a posted sale: each line with its product's name, the
source of its price and the steps that priced it, in the cashier's language (each step named by
its kind, its reason as detail: ``render`` writes the stored reasons in the cashier's language and
the shop's display unit)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sasom.catalog.models import Product
from sasom.checkout.api_schemas import PriceStepOut, SaleLineOut
from sasom.rewards.pricing import coupon_code_display

DISCOUNTS = ("member_discount", "birthday_discount")


@dataclass(frozen=True)
class Step:
    kind: str
    label: str
    amount: Decimal | None
    reason: str

    @property
    def shown(self) -> str:
        """A discount as money off (−9.00); a price step as the change per unit it made (−16.00)."""
        if self.amount is None:
            return ""
        discount = self.kind in DISCOUNTS or self.kind.startswith("promotion:")
        signed = -abs(self.amount) if discount else self.amount
        return f"{signed:+,.2f}".replace("-", "\u2212")

    @property
    def sign(self) -> str:
        """The sign of :attr:`shown` (``+`` or ``−``); the screen writes :attr:`size` after it in
        the shop's display unit (``{% shopmoney %}``: toman for a toman shop)."""
        return self.shown[:1]

    @property
    def size(self) -> Decimal | None:
        return abs(self.amount) if self.amount is not None else None


@dataclass(frozen=True)
class Row:
    index: int  # from 0, the basket's order
    line: SaleLineOut
    name: str
    source: str
    steps: list[Step]

    @property
    def qty(self) -> str:
        return quantity_text(self.line.quantity)

    @property
    def list_differs(self) -> bool:
        return self.line.list_price != self.line.unit_price


def quantity_text(quantity: Decimal) -> str:
    """10.000 as "10", 1.250 as "1.25" (never "1E+1")."""
    return format(quantity.normalize(), "f")


def step_label(kind: str) -> str:
    labels = {
        "member_price": _("Member price"),
        "price_differs": _("Price differs from the table"),
        "member_discount": _("Member discount"),
        "birthday_discount": _("Birthday discount"),
        "no_member_discount": _("No member discount"),
    }
    if kind.startswith("promotion:"):
        return _("Promotion %(code)s") % {"code": kind[len("promotion:"):]}
    return labels.get(kind, kind)


def source_label(source: str) -> str:
    """``base``, ``table:VIP``, ``table:VIP@B1``, ``pos``, ``open`` in words."""
    if source.startswith("table:"):
        table, _at, branch = source[len("table:"):].partition("@")
        if branch:
            return _("Price table %(table)s at %(branch)s") % {"table": table, "branch": branch}
        return _("Price table %(table)s") % {"table": table}
    labels = {"base": _("List price"), "pos": _("Till's price"), "open": _("Not in the catalog"), "": _("As sent"),
              "promotion": _("Promotion gift")}
    return labels.get(source, source)


def steps_of(steps: list[PriceStepOut]) -> list[Step]:
    return [Step(kind=s.kind, label=step_label(s.kind), amount=s.amount, reason=s.reason) for s in steps]


def product_names(organization_id: int, skus: list[str]) -> dict[str, str]:
    rows = Product.objects.filter(organization_id=organization_id, sku__in=set(skus)).values_list("sku", "name_th")
    return dict(rows)


def rows_of(lines: list[SaleLineOut], names: dict[str, str]) -> list[Row]:
    return [Row(index=i, line=ln, name=names.get(ln.sku, ln.sku), source=source_label(ln.price_source),
                steps=steps_of(ln.steps)) for i, ln in enumerate(lines)]


def coupon_choices(offered: list[Any], chosen: list[Any]) -> list[tuple[str, str]]:
    """The member's issued coupons and those on the bill, as (code, label) choices."""
    seen: dict[str, str] = {}
    for c in [*chosen, *offered]:
        if c.code not in seen:
            kind = _("discount") if c.kind == "discount" else _("cash")
            seen[c.code] = f"{coupon_code_display(c.code)} · {kind} {c.amount:,.2f}"
    return list(seen.items())
