"""POS promotions at the till (issue 14; DOMAIN.md 9 and 10): the checkout composes the pure
promotions engine between the two passes of ``catalog.pricing.basket_price``.

* :class:`Promoter` is the ``promote`` step: it hands the engine one ``Line`` per priced line
  (the price charged, the POS's own discount), keeps the engine's ``Result``, and returns the lines
  with each promotion's discount on its line (``promotion_discount`` and an adjustment
  ``promotion:<code>`` whose reason is the promotion's name, the engine's explanation and the
  units it took, kept as data and shown in the reader's language: ``checkout.promo_texts``) and each gift as a new line at its list price with the discount that makes it
  free or special (never a price-0 line). A gift line earns no points unless the organization's
  ``gifts_earn_points`` says so (docs/points.md).
* :func:`context_of` is where, when and for whom (the organization's zone decides the day), the
  member's and the budget's counts (``promotions.uses``) and the cashier's choices.
* :func:`snapshot_note` stores, on a committed sale that got promotions, what a return needs to
  reprice the remainder with the promotions as they were (``checkout.promo_returns``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from sasom.catalog.pricing import Adjustment, PricedLine, ProductPrices, Terms
from sasom.checkout.errors import PROMOTED_UNITS
from sasom.checkout.promo_texts import gift_reason, take_reasons
from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.ledger.plan import decimal_text
from sasom.ledger.plan_promotions import PROMOTION_NOTE, SNAPSHOT
from sasom.promotions.engine.index import candidates
from sasom.promotions.engine.resolver import resolve
from sasom.promotions.engine.types import Applied, Context, Line, PromotionSet, Result
from sasom.promotions.models import Promotion
from sasom.promotions.uses import Counts, uses_read

ZERO = Decimal("0")
GIFT_SOURCE = "promotion"  # a gift line's price source


def engine_lines(lines: tuple[PricedLine, ...]) -> tuple[Line, ...]:
    """The priced lines as the engine sees them; a line's index is its place in the basket."""
    return tuple(
        Line(index=i, sku=ln.sku, categories=ln.categories | ({ln.category} if ln.category else set()),
             brand=ln.brand, quantity=ln.quantity, unit_price=ln.unit_price, list_price=ln.list_price,
             discount=ln.pos_discount, places=ln.places)
        for i, ln in enumerate(lines)
    )


def promoted_lines(lines: tuple[PricedLine, ...], result: Result, *, products: Mapping[str, ProductPrices],
                   gifts_earn_points: bool) -> tuple[PricedLine, ...]:
    """``lines`` with ``result`` on them (pure): each take's discount on its line, each gift a new
    line after the basket's last line number."""
    out = list(lines)
    for a in result.applied:
        reason = None  # the promotion's reasons, its explanation made data once (promo_texts.take_reasons)
        for t in a.takes:
            if t.discount <= 0:
                continue
            reason = reason or take_reasons(a.name, a.explanation)
            ln = out[t.index]
            out[t.index] = dataclasses.replace(
                ln, promotion_discount=money(ln.promotion_discount + t.discount, ln.places),
                adjustments=(*ln.adjustments, Adjustment(f"{PROMOTION_NOTE}{a.code}", money(t.discount, ln.places),
                                                         reason(decimal_text(t.units)))),
            )
    next_no = max((ln.line_no for ln in lines), default=0)
    places = lines[0].places if lines else 2
    for a, g in result.gifts:
        next_no += 1
        product = products.get(g.sku)
        off = money((g.list_price - g.unit_price) * g.quantity, places)
        out.append(PricedLine(
            line_no=next_no, sku=g.sku, name=product.name if product else "",
            category=product.category if product else "", brand=product.brand if product else "",
            quantity=g.quantity, list_price=g.list_price, unit_price=g.list_price, price_source=GIFT_SOURCE,
            price_flag="", sent_price=None, pos_discount=ZERO, member_discount=ZERO, birthday_discount=ZERO,
            excluded_from_points=(product.excluded_from_points if product else False) or not gifts_earn_points,
            categories=product.categories if product else frozenset(), promotion_discount=off, places=places,
            adjustments=(Adjustment(f"{PROMOTION_NOTE}{a.code}", off,
                                    gift_reason(a.name, decimal_text(g.quantity), g.sku, g.unit_price, g.list_price,
                                                places)),),
        ))
    return tuple(out)


class Promoter:
    """The ``promote`` step of ``basket_price`` for one basket; ``result`` is what the engine said.
    ``hints``: whether the engine also says how far the basket is from more (a quote, the till's
    screen); a commit answers none, so it does not ask (``resolve(..., hints=False)``)."""

    def __init__(self, pset: PromotionSet, ctx: Context, *, products: Mapping[str, ProductPrices],
                 gifts_earn_points: bool, hints: bool = True) -> None:
        self.pset, self.ctx, self.products, self.gifts_earn_points = pset, ctx, products, gifts_earn_points
        self.hints = hints
        self.result = Result()

    def __call__(self, lines: tuple[PricedLine, ...]) -> tuple[PricedLine, ...]:
        seen = engine_lines(lines)
        units_check(self.pset, seen)
        self.result = resolve(self.pset, seen, self.ctx, hints=self.hints)
        return promoted_lines(lines, self.result, products=self.products, gifts_earn_points=self.gifts_earn_points)


MAX_UNITS = Decimal("100000")  # the units of a bill the promotions may count (see units_check)


def units_check(pset: PromotionSet, lines: tuple[Line, ...]) -> None:
    """Refuse a bill whose lines the promotions can touch hold more than :data:`MAX_UNITS` units
    (``promoted_units_too_many``, naming the quantity that passes it). Several kinds take a bin's
    or a group's units one by one (packs, chunks of N, dearest first): their time and memory grow
    with the units, about 2 s a 100,000 units for "4 for 30" and gigabytes for the 99,999,999
    units a line may carry, so one slip of a quantity must not stall the server. A bill of a few
    thousand units pays one sum; a larger one has its promotions' lines counted."""
    if sum((ln.quantity for ln in lines), ZERO) <= MAX_UNITS:
        return
    items = [pset.promotions[position].rule.items() for position in candidates(pset, lines)]
    counted = ZERO
    for ln in lines:
        if any(item_set.matches(ln) for item_set in items):
            counted += ln.quantity
            if counted > MAX_UNITS:
                raise DomainError(PROMOTED_UNITS, _("A bill with promotions takes at most %(n)s units of the "
                                                    "promoted items.") % {"n": f"{MAX_UNITS:,}"},
                                  field=f"lines.{ln.index}.quantity")


def limited_ids(pset: PromotionSet, lines: tuple[Line, ...]) -> tuple[list[int], list[int]]:
    """(budgeted, per-member-limited) promotion ids among those the basket's lines can touch."""
    budgeted, per_member = [], []
    for position in candidates(pset, lines):
        p = pset.promotions[position]
        if p.conditions.budget is not None:
            budgeted.append(p.id)
        if p.conditions.per_member_limit is not None:
            per_member.append(p.id)
    return budgeted, per_member


_LIMITED: dict[int, tuple[PromotionSet, bool]] = {}  # id(set) -> (the set, whether any promotion has a limit)


def has_limits(pset: PromotionSet) -> bool:
    """Whether any promotion of ``pset`` carries a budget or a per-member limit (kept per
    compiled set: a new set is compiled on every change of a promotion)."""
    known = _LIMITED.get(id(pset))
    if known is not None and known[0] is pset:
        return known[1]
    limited = any(p.conditions.budget is not None or p.conditions.per_member_limit is not None
                  for p in pset.promotions)
    if len(_LIMITED) >= 64:
        _LIMITED.clear()
    _LIMITED[id(pset)] = (pset, limited)
    return limited


def counts_for(organization_id: int, pset: PromotionSet, lines: tuple[Line, ...], member_id: int | None, *,
               lock: bool) -> Counts:
    budgeted, per_member = limited_ids(pset, lines)
    return uses_read(organization_id, budgeted=budgeted, per_member=per_member, member_id=member_id, lock=lock)


def context_of(*, occurred_at: dt.datetime, zone: str, branch: str, terminal: str, salesperson: str,
               document_type: str, member: str, member_type: str, tier: str, counts: Counts,
               choices: Mapping[str, str], gift_prices: Mapping[str, Decimal]) -> Context:
    by_member, total = counts
    return Context(at=occurred_at.astimezone(ZoneInfo(zone)), branch=branch, terminal=terminal,
                   salesperson=salesperson, document_type=document_type, member=member, member_type=member_type,
                   tier=tier, uses_by_member=by_member, uses_total=total, choices=dict(choices),
                   gift_prices=dict(gift_prices))


def snapshot_note(organization_id: int, mode: str, result: Result, lines: tuple[PricedLine, ...],
                  choices: Mapping[str, str], *, terms: Terms | None = None, pset: PromotionSet | None = None
                  ) -> tuple[int, str, str, str]:
    """What a return needs to reprice the remainder with the promotions as they were at the sale:
    the applied promotions' stored definitions (kind, parameters, items, priority, stacking, the
    per-bill limit), the mode, the choices, each line's categories (one query) and the member's
    discount terms (``member_terms``), so the member discount is taken again on what the
    remainder costs after its promotions."""
    ids = sorted({a.promotion_id for a in result.applied})
    rows = definitions(organization_id, pset, ids)
    body: dict[str, Any] = {
        "mode": mode, "promotions": rows, "choices": dict(choices),
        "lines": {str(ln.line_no): sorted(ln.categories) for ln in lines if ln.categories},
        "gifts": [[ln.line_no, ln.sku, decimal_text(ln.quantity)] for ln in lines if ln.price_source == GIFT_SOURCE],
        "member": member_terms(terms, lines),
        "uses": uses_of(result),
    }
    return (0, SNAPSHOT, "", json.dumps(body, sort_keys=True, default=str))


_FIELDS = ("pk", "code", "name", "kind", "params", "priority", "stacks", "message", "item_skus", "item_categories",
           "item_brands", "exclude_skus", "per_bill_limit")
_DEFINITIONS: dict[int, tuple[PromotionSet, dict[int, dict[str, Any]]]] = {}  # organization -> (set, id -> row)


_WHOLE_SET = 500  # a compiled set of at most this many promotions has its definitions read at once


def definitions(organization_id: int, pset: PromotionSet | None, ids: list[int]) -> list[dict[str, Any]]:
    """The stored definitions of promotions ``ids`` (id order), as the snapshot keeps them. Kept
    per process with the compiled set they were priced with (``promotions.compile`` compiles a
    new set on every change of a promotion), so a warm till reads none; no set: always read.
    The first miss of a set of up to ``_WHOLE_SET`` promotions reads the whole set's (one query
    per set and process, instead of one each time a sale gets a promotion not met before)."""
    cached = _DEFINITIONS.get(organization_id)
    known = cached[1] if cached is not None and pset is not None and cached[0] is pset else {}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        if pset is not None and len(pset.promotions) <= _WHOLE_SET:
            missing = sorted({*missing, *(p.id for p in pset.promotions if p.id not in known)})
        fresh = {row[0]: dict(zip(_FIELDS, row, strict=True))
                 for row in Promotion.objects.filter(organization_id=organization_id, pk__in=missing)
                 .values_list(*_FIELDS)}
        known = {**known, **fresh}
        if pset is not None:
            _DEFINITIONS[organization_id] = (pset, known)
    return [known[pk] for pk in ids if pk in known]


def gave(a: Applied) -> bool:
    """Whether an applied promotion gave the bill anything: a discount, a gift, or its message.
    One whose choice is still open (the member took none of the free or purchase-with-purchase
    items offered) or whose gift was skipped (its price not known) gave nothing."""
    return a.discount > 0 or bool(a.gifts) or (a.choice is None and bool(a.message))


def uses_of(result: Result) -> list[list[Any]]:
    """The promotions' uses the writers store with the sale (``ledger.plan_promotions``): per
    promotion applied, [id, times, discount, units taken and given]. A promotion that gave
    nothing (:func:`gave`) counts no use: its budget and the member's limit stay for a bill
    that takes what it offers."""
    out = []
    for a in result.applied:
        if not gave(a):
            continue
        units = sum((t.units for t in a.takes), ZERO) + sum((g.quantity for g in a.gifts), ZERO)
        out.append([a.promotion_id, a.times, str(money(a.discount)), decimal_text(units)])
    return out


def member_terms(terms: Terms | None, lines: tuple[PricedLine, ...]) -> dict[str, Any] | None:
    """The member discount's terms as the sale had them (None: no member discount was possible):
    the percents, the minimum bill, whether discounted lines are left out, and the lines that may
    have one at all (not priced by the POS, not in an excluded category; ``catalog.pricing``)."""
    if terms is None or not terms.member_label or not terms.benefits_active:
        return None
    if terms.discount_percent + terms.birthday_percent <= 0:
        return None
    return {
        "percent": decimal_text(terms.discount_percent), "birthday": decimal_text(terms.birthday_percent),
        "min_bill": decimal_text(terms.min_bill), "skip_discounted": terms.skip_discounted_lines,
        "lines": [ln.line_no for ln in lines
                  if ln.price_source != "pos" and not (ln.categories & terms.excluded_categories)],
    }


def snapshot_in(rows: Any) -> dict[str, Any] | None:
    """The promotions' snapshot among a sale's pricing notes (None: the sale got no promotion)."""
    for row in rows or ():
        if len(row) == 4 and row[1] == SNAPSHOT:
            data = json.loads(row[3])
            return data if isinstance(data, dict) else None
    return None
