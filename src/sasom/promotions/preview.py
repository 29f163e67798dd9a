"""Try a basket (the back office's preview and ``POST /promotions/preview``): a basket of SKUs and
quantities priced at the catalog's list price (``catalog.prices``: the general price table at the
branch, else the base price), run through the engine with the organization's active promotions
and, optionally, a draft promotion not saved yet. Nothing is stored.

The till prices more (member prices, then member and birthday discounts after the promotions);
the preview answers what the promotions alone do to the list prices. Amounts keep the
organization's currency places (an IRR shop's preview is whole rial; docs/decisions/0009-currency.md).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.catalog.models import Category
from sasom.catalog.prices import basket_products, pricing_settings
from sasom.core.currency import places_of
from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization
from sasom.promotions.compile import (
    gift_skus_of,
    promotion_compile,
    promotions_compile,
)
from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.resolver import resolve
from sasom.promotions.engine.types import ZERO, Context, Line, Result
from sasom.promotions.engine.types import Promotion as EnginePromotion
from sasom.promotions.errors import PREVIEW_INVALID
from sasom.promotions.models import Promotion, PromotionUse
from sasom.promotions.validation import promotion_values
from sasom.tiers.selectors import member_tier_code

MAX_LINES = 200
MAX_QUANTITY = 100_000
DRAFT_ID = 0  # the draft's id in the engine (stored promotions have positive ids)


@dataclass(frozen=True)
class PreviewLine:
    line: Line
    name: str
    promotion_discount: Decimal

    @property
    def gross(self) -> Decimal:
        return money(self.line.quantity * self.line.unit_price, self.line.places)

    @property
    def net(self) -> Decimal:
        return money(self.gross - self.promotion_discount, self.line.places)


@dataclass(frozen=True)
class GiftRow:
    promotion: str
    sku: str
    name: str
    quantity: Decimal
    gross: Decimal  # at list price
    discount: Decimal
    net: Decimal


@dataclass(frozen=True)
class Preview:
    lines: tuple[PreviewLine, ...]
    result: Result
    gift_names: dict[str, str]
    places: int = 2  # the organization's currency's minor unit

    @property
    def gift_rows(self) -> list[GiftRow]:
        """The gifts as the lines the till adds: list price, the discount, what the member pays."""
        rows = []
        for a, g in self.result.gifts:
            gross = money(g.list_price * g.quantity, self.places)
            net = money(g.unit_price * g.quantity, self.places)
            rows.append(GiftRow(promotion=a.name, sku=g.sku, name=self.gift_names.get(g.sku, ""), quantity=g.quantity,
                                gross=gross, discount=money(gross - net, self.places), net=net))
        return rows

    @property
    def gross(self) -> Decimal:
        return money(sum((pl.gross for pl in self.lines), ZERO)
                     + sum((g.list_price * g.quantity for _a, g in self.result.gifts), ZERO), self.places)

    @property
    def discount(self) -> Decimal:
        return money(self.result.discount, self.places)

    @property
    def net(self) -> Decimal:
        return money(self.gross - self.discount, self.places)


def _refuse(field: str, message: Any) -> DomainError:
    return DomainError(PREVIEW_INVALID, message, field=field)


def _quantity(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise _refuse(field, _("a quantity is a number")) from None
    if value.is_finite() and value > MAX_QUANTITY:  # before the decimals: a huge one has no remainder
        raise _refuse(field, _("a quantity is at most %(n)s") % {"n": f"{MAX_QUANTITY:,}"})
    if not value.is_finite() or value <= 0 or (value * 1000) % 1 != 0:
        raise _refuse(field, _("a quantity is more than 0, with at most 3 decimals"))
    return value


def _ancestors(organization_id: int) -> dict[str, frozenset[str]]:
    """Category code -> the code and every code above it (item sets name any level)."""
    rows = {code: parent for code, parent in
            Category.objects.filter(organization_id=organization_id).values_list("code", "parent__code")}
    out: dict[str, frozenset[str]] = {}
    for code in rows:
        seen: list[str] = []
        at: str | None = code
        while at is not None and at in rows and at not in seen:
            seen.append(at)
            at = rows[at]
        out[code] = frozenset(seen)
    return out


def _context(organization_id: int, at: dt.datetime, branch: Branch | None, member: Member | None,
             promotion_ids: list[int], choices: dict[str, str]) -> Context:
    uses_total = dict(Promotion.objects.filter(organization_id=organization_id, pk__in=promotion_ids)
                      .values_list("pk", "uses"))
    uses_by_member: dict[int, int] = {}
    if member is not None:
        uses_by_member = dict(
            PromotionUse.objects.filter(organization_id=organization_id, member=member, reversed=False,
                                        promotion_id__in=promotion_ids)
            .values("promotion_id").annotate(n=Count("id")).values_list("promotion_id", "n"))
    return Context(
        at=at, branch=branch.code if branch is not None else "", member=member.code if member is not None else "",
        member_type=member.member_type.code if member is not None else "",
        tier=member_tier_code(organization_id, member) if member is not None else "",
        uses_by_member=uses_by_member, uses_total=uses_total, choices=choices,
    )


def basket_preview(*, organization_id: int, lines: list[tuple[str, Any]], member_code: str = "",
                   branch_code: str = "", at: dt.datetime | None = None, draft: dict[str, Any] | None = None,
                   draft_only: bool = False, choices: dict[str, str] | None = None) -> Preview:
    """What the promotions do to a basket of ``(sku, quantity)`` at list prices. ``draft``: a
    promotion's fields (as ``promotion_create`` takes them) tried as if active; ``draft_only``:
    without the organization's active promotions."""
    if not lines:
        raise _refuse("lines", _("add at least one line"))
    if len(lines) > MAX_LINES:
        raise _refuse("lines", _("at most %(n)s lines") % {"n": MAX_LINES})
    org = Organization.objects.only("time_zone", "currency").get(pk=organization_id)
    places = places_of(org.currency)
    zone = zoneinfo.ZoneInfo(org.time_zone or "Asia/Bangkok")
    if at is not None and at.tzinfo is None:
        raise _refuse("at", _("a date-time needs a time zone"))
    at = (at or timezone.now()).astimezone(zone)
    branch = None
    if branch_code:
        branch = Branch.objects.filter(organization_id=organization_id, code=branch_code).first()
        if branch is None:
            raise _refuse("branch", _("no branch with this code"))
    member = None
    if member_code:
        member = (Member.objects.select_related("member_type")
                  .filter(organization_id=organization_id, code=member_code).first())
        if member is None:
            raise _refuse("member", _("no member with this code"))
    wanted = [(str(sku).strip(), _quantity(qty, f"lines.{i}.quantity")) for i, (sku, qty) in enumerate(lines)]
    promotions: list[EnginePromotion] = []
    gifts: set[str] = set()
    version, mode = 0, "best"
    if not draft_only:
        version, active, active_gifts = promotions_compile(organization_id)
        if active is not None:
            promotions.extend(active.promotions)
            mode = active.mode
        gifts |= active_gifts
    if draft is not None:
        values = promotion_values(organization_id, draft)
        row = Promotion(organization_id=organization_id, pk=None, **values)
        compiled = replace(promotion_compile(row, places=places), id=DRAFT_ID)
        promotions = [p for p in promotions if p.code != compiled.code] + [compiled]
        gifts |= gift_skus_of(row.kind, row.params)
    settings = pricing_settings(organization_id)
    products = basket_products(
        organization_id, [s for s, _q in wanted] + sorted(gifts), branch_id=branch.pk if branch is not None else 0,
        branch_code=branch.code if branch is not None else "", on=at.date(), settings=settings, member_table=None)
    ancestors = _ancestors(organization_id)
    engine_lines: list[Line] = []
    names: dict[int, str] = {}
    for i, (sku, qty) in enumerate(wanted):
        product = products.get(sku)
        if product is None:
            raise _refuse(f"lines.{i}.sku", _("no product with this SKU or barcode: %(sku)s") % {"sku": sku})
        names[i] = product.name
        engine_lines.append(Line(
            index=i, sku=product.sku, categories=ancestors.get(product.category, product.categories),
            brand=product.brand, quantity=qty, unit_price=product.list_price, list_price=product.list_price,
            places=places))
    result = Result()
    if promotions:
        pset = promotion_set(mode, promotions, version)
        ctx = _context(organization_id, at, branch, member, [p.id for p in promotions if p.id], choices or {})
        ctx = replace(ctx, gift_prices={s: products[s].list_price for s in gifts if s in products})
        result = resolve(pset, engine_lines, ctx)
    for pending in result.choices:  # as the till's quote: a choice the promotion does not offer is refused
        if choices and pending.promotion in choices:
            raise _refuse(f"choices.{pending.promotion}", _("%(sku)s is not one of the choices: %(options)s")
                          % {"sku": choices[pending.promotion], "options": ", ".join(pending.options)})
    discounts = result.line_discounts()
    gift_names = {s: p.name for s, p in products.items()}
    return Preview(
        lines=tuple(PreviewLine(line=ln, name=names[ln.index],
                                promotion_discount=money(discounts.get(ln.index, ZERO), places))
                    for ln in engine_lines),
        result=result, gift_names=gift_names, places=places,
    )
