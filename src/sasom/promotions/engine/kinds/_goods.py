"""Rules whose reward is goods (a free item, a purchase-with-purchase item, given or chosen) or
only a message on the bill, on any trigger (a mix, N of a group, a group's value): families 2, 3
and 4 share them, and the kinds' modules only declare their parameters.

Goods: ``quantity`` units per time the trigger goes off, at ``price`` each (0 = free). One SKU
named: it is given (``goods.give``: in the basket first, else a gift at its list price). Several:
the member chooses; the rule returns a :class:`Choice` and the resolver gives the chosen one
(``Context.choices``). A message: the promotion's ``message`` is printed on the bill; the rule
consumes no unit and gives no discount, so it never keeps another promotion from a unit.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.goods import GiftNote, give
from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    SEMICOLON,
    BaseRule,
    Params,
    gettext_noop,
    hint,
    joined,
    money_str,
    said,
)
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.kinds._triggers import GroupTrigger, MixTrigger, Trigger, ValueTrigger
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import (
    ZERO,
    Choice,
    Context,
    Draft,
    Hint,
    ItemSet,
    Line,
    ParamSpec,
    Pool,
    PromoKind,
)
from sasom.promotions.engine.units import Basket, own_value

MIX = (ParamSpec("mix", "mix", _("Items of the set"), _("Each SKU and how many of it complete one set.")),)
GROUP = (ParamSpec("quantity", "int", _("Units to buy"), _("Any units of the promotion's items.")),)
VALUE = (
    ParamSpec("threshold", "money", _("Amount to reach"), _("What the promotion's items cost together.")),
    ParamSpec("repeat", "bool", _("Once per amount reached"), required=False),
)
GIFT = (
    ParamSpec("gifts", "skus", _("Free items"), _("One SKU: given. Several: the member chooses one.")),
    ParamSpec("gift_quantity", "int", _("Free units"), required=False),
)
PWP = (
    ParamSpec("offers", "skus", _("Purchase-with-purchase items"), _("One SKU: offered. Several: the member chooses one.")),
    ParamSpec("offer_price", "money", _("Special price")),
    ParamSpec("offer_quantity", "int", _("Units at the special price"), required=False),
)
TRIGGERS: dict[str, tuple[ParamSpec, ...]] = {"mix": MIX, "group": GROUP, "value": VALUE}


def trigger_of(trigger: str, params: Params, items: ItemSet) -> Trigger:
    if trigger == "mix":
        return MixTrigger(tuple((m["sku"], int(m["quantity"])) for m in params["mix"]))
    if trigger == "group":
        return GroupTrigger(items, int(params["quantity"]))
    return ValueTrigger(items, Decimal(params["threshold"]), bool(params.get("repeat", False)))


class GoodsRule(BaseRule):
    __slots__ = ("options", "price", "quantity", "trigger")

    def __init__(self, trigger: Trigger, options: tuple[str, ...], quantity: int, price: Decimal) -> None:
        super().__init__(trigger.items())
        self.trigger = trigger
        self.options = options
        self.quantity = quantity
        self.price = price

    def reward_skus(self) -> frozenset[str]:
        return frozenset(self.options)

    def reward(self) -> str:
        what = joined(_(" or "), self.options)
        if self.price > 0:
            return said(gettext_noop("%(quantity)s x %(what)s at %(price)s"),
                        {"quantity": self.quantity, "what": what, "price": money_str(self.price)})
        return said(gettext_noop("%(quantity)s x %(what)s free"), {"quantity": self.quantity, "what": what})

    def ceiling(self, pool: Pool, ctx: Context) -> Decimal | None:
        """Goods outside the basket (or a choice not made): at most the times the trigger goes
        off now (fewer units and lower amounts never make it go off more) x the units per time
        x the dearest option's list price less the offer price."""
        each = max((max(ctx.gift_prices.get(sku, ZERO) - self.price, ZERO) for sku in self.options), default=ZERO)
        if each <= 0:
            return ZERO
        return each * self.quantity * self.trigger.times_at_most(pool)

    def worth_at_most(self, pool: Pool, ctx: Context) -> Decimal:
        """At most what the rule is worth on ``pool``, or on any pool with fewer free units and
        lower amounts, cheaply (the best-for-customer greedy skips its trial while this is below
        the round's best: docs/promotions.md "Competing promotions"): the times the trigger goes
        off now x the units per time x the most one unit of an option can be worth (its list
        price, or the dearest own price of its lines in the basket, less the offer price: a gift
        taken in the basket is discounted from what its line costs now, never more than its own
        price; a choice is worth its dearest option's list price), plus one minor unit a basket
        line of an option (each line's discount is rounded)."""
        times = self.trigger.times_at_most(pool)
        if not times:
            return ZERO
        each, lines = ZERO, 0
        price = self.price
        for sku in self.options:
            listed = ctx.gift_prices.get(sku)
            if listed is not None and listed - price > each:
                each = listed - price
            mine = pool.by_sku.get(sku, ()) if isinstance(pool, Basket) else [
                ln for ln in pool.lines if ln.sku == sku]
            for line in mine:
                lines += 1
                own = pool.own[line.index] if isinstance(pool, Basket) else own_value(line)
                if own - price > each:
                    each = own - price
        return each * self.quantity * times + Decimal(lines).scaleb(-pool.places)

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        times, parts = self.trigger.fire(pool, limit, frozenset(self.options))
        if not times:
            return None
        takes = Takes(pool.places)
        for r, units in parts:
            takes.add(r.index, units)
        quantity = self.quantity * times
        what = said(gettext_noop("%(trigger)s (%(times)sx): %(reward)s"),
                    {"trigger": self.trigger.text(), "times": times, "reward": self.reward()})
        if len(self.options) > 1:
            choice = Choice("", self.options, Decimal(quantity), self.price)
            return Draft(takes=takes.build(pool.net), times=times, choice=choice,
                         explanation=said(gettext_noop("%(what)s, to choose"), {"what": what}))
        gift, note = give(pool, ctx, takes, self.options[0], quantity, self.price)
        return Draft(
            takes=takes.build(pool.net),
            times=times,
            explanation=said(gettext_noop("%(what)s: %(note)s"), {"what": what, "note": gift_note(note)}),
            gifts=(gift,) if gift is not None else (),
        )

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        return _hint(self.trigger, pool, self.reward(), limit)


class MessageRule(BaseRule):
    __slots__ = ("trigger",)

    def __init__(self, trigger: Trigger) -> None:
        super().__init__(trigger.items())
        self.trigger = trigger

    def touches(self, line: Line) -> bool:
        return False  # consumes nothing: competes with no promotion

    def touched(self, pool: Pool) -> frozenset[int]:
        return frozenset()

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        times, _parts = self.trigger.fire(pool, limit, frozenset())
        if not times:
            return None
        return Draft(takes=(), times=times, explanation=said(gettext_noop("%(trigger)s: a message on the bill"),
                                                             {"trigger": self.trigger.text()}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        return _hint(self.trigger, pool, _("a message on the bill"), limit)


def _hint(trigger: Trigger, pool: Pool, reward: Any, limit: int | None) -> Hint | None:
    if limit is not None and trigger.times_at_most(pool) >= limit:
        return None  # the trigger goes off as often as the bill allows: once more gives nothing
    units, amount = trigger.missing(pool)
    if units:
        return hint(units, None, said(gettext_noop("add %(n)s more for %(reward)s"), {"n": units, "reward": reward}))
    if amount is not None and amount > ZERO:
        return hint(None, amount, said(gettext_noop("spend %(amount)s more for %(reward)s"),
                                       {"amount": money_str(amount), "reward": reward}))
    return None


def gift_note(note: GiftNote) -> str:
    """What ``goods.give`` did, as the explanation says it: in the basket, added, or skipped."""
    parts = []
    if note.in_basket:
        parts.append(said(gettext_noop("%(n)s x %(sku)s in the basket"), {"n": note.in_basket, "sku": note.sku}))
    if note.left and note.known:
        parts.append(said(gettext_noop("%(n)s x %(sku)s added"), {"n": note.left, "sku": note.sku}))
    elif note.left:
        parts.append(said(gettext_noop("%(n)s x %(sku)s skipped: its price is not known"),
                          {"n": note.left, "sku": note.sku}))
    return joined(SEMICOLON, tuple(parts))


def goods_kind(code: str, family: int, trigger: str, pwp: bool, label: Any, description: Any,
               example: dict[str, Any]) -> PromoKind:
    """A PromoKind for ``trigger`` + free goods (``pwp`` False) or purchase-with-purchase goods."""
    specs = TRIGGERS[trigger] + (PWP if pwp else GIFT)
    field, qty_field = ("offers", "offer_quantity") if pwp else ("gifts", "gift_quantity")

    def clean(raw: Params) -> dict[str, Any]:
        return clean_params(specs, raw)

    def build(params: Params, items: ItemSet) -> GoodsRule:
        price = Decimal(params["offer_price"]) if pwp else ZERO
        return GoodsRule(trigger_of(trigger, params, items), tuple(params[field]), int(params.get(qty_field) or 1), price)

    def explain(params: Params) -> str:
        return summaries.goods(trigger, params, params[field], params.get(qty_field), params["offer_price"] if pwp else None)

    return PromoKind(code=code, family=family, label=label, description=description, params=specs,
                     uses_items=trigger != "mix", clean=clean, build=build, explain=explain, example=example)


def message_kind(code: str, family: int, trigger: str, label: Any, description: Any, example: dict[str, Any]) -> PromoKind:
    """A PromoKind whose reward is the promotion's message printed on the bill."""
    specs = TRIGGERS[trigger]

    def clean(raw: Params) -> dict[str, Any]:
        return clean_params(specs, raw)

    def build(params: Params, items: ItemSet) -> MessageRule:
        return MessageRule(trigger_of(trigger, params, items))

    def explain(params: Params) -> str:
        return summaries.message(trigger, params)

    return PromoKind(code=code, family=family, label=label, description=description, params=specs,
                     uses_items=trigger != "mix", clean=clean, build=build, explain=explain, example=example)


Builder = Callable[[Params, ItemSet], BaseRule]


def chosen_text(explanation: str, sku: str, note: GiftNote) -> str:
    return said(gettext_noop("%(explanation)s; chosen %(sku)s: %(note)s"),
                {"explanation": explanation, "sku": sku, "note": gift_note(note)})
