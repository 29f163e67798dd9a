"""Each kind's one-line summary (``PromoKind.explain``: the promotion list, its page, the API's
``summary``, the till's inquiry), built from the stored parameters as lazy texts like the
explanations: translated when shown, and amounts written by ``money_str`` (the currency's decimals;
the toman and its label on a toman shop's screen). The caller states how money is shown around the
call and the ``str``: ``promotions.texts.summary_shown`` (docs/promotions.md, "Texts").

Quantities, SKUs and percents are parameters, not words: only the phrases around them are
translated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sasom.promotions.engine.kinds._common import (
    COMMA,
    Params,
    Steps,
    fmt,
    gettext_noop,
    joined,
    money_str,
    said,
    units_of,
)


def _money(value: Any) -> str:
    return money_str(Decimal(str(value)))


def _percent(value: Any) -> str:
    """A stored percent as the explanations write it (``fmt``: ``12.5``, never ``1E+1``)."""
    return fmt(Decimal(str(value)))


def free_steps(steps: Steps) -> str:
    """``buy 2 get 1, buy 20 get 6``."""
    return joined(COMMA, tuple(said(gettext_noop("buy %(start)s get %(free)s"), {"start": start, "free": fmt(value)})
                              for start, value in steps))


def qty_free(steps: Steps, repeat: bool) -> str:
    if repeat:
        return said(gettext_noop("%(steps)s of the same item, repeated"), {"steps": free_steps(steps)})
    return said(gettext_noop("%(steps)s of the same item"), {"steps": free_steps(steps)})


def bin_free(steps: Steps, repeat: bool) -> str:
    if repeat:
        return said(gettext_noop("%(steps)s of the bin together, repeated"), {"steps": free_steps(steps)})
    return said(gettext_noop("%(steps)s of the bin together"), {"steps": free_steps(steps)})


def bands(steps: Steps, percent: bool, per_sku: bool) -> str:
    """``from 3: 2 % off, from 7: 3 % off (each item)``; prices: ``from 3: 9.00 each``."""
    parts = tuple(
        said(gettext_noop("from %(start)s: %(band)s"), {
            "start": start,
            "band": said(gettext_noop("%(percent)s %% off"), {"percent": fmt(value)}) if percent
            else said(gettext_noop("%(price)s each"), {"price": money_str(value)})})
        for start, value in steps)
    if per_sku:
        return said(gettext_noop("%(steps)s (each item)"), {"steps": joined(COMMA, parts)})
    return said(gettext_noop("%(steps)s (the bin together)"), {"steps": joined(COMMA, parts)})


def positions(percents: Mapping[int, Decimal], repeat: bool) -> str:
    """``item 1: 10 % off, item 2: 20 % off``, ``, again and again`` when it repeats."""
    text = joined(COMMA, tuple(said(gettext_noop("item %(k)s: %(percent)s %% off"), {"k": k, "percent": fmt(v)})
                              for k, v in sorted(percents.items())))
    return said(gettext_noop("%(steps)s, again and again"), {"steps": text}) if repeat else text


def set_prices(mix: Sequence[Mapping[str, Any]]) -> str:
    """``set: 1 x SHIRT at 200.00 + 1 x TROUSERS at 400.00``."""
    items = joined(" + ", tuple(said(gettext_noop("%(quantity)s x %(what)s at %(price)s"),
                                     {"quantity": m["quantity"], "what": m["sku"], "price": _money(m["price"])})
                                for m in mix))
    return said(gettext_noop("set: %(items)s"), {"items": items})


def any_fixed_total(params: Params) -> str:
    return said(gettext_noop("any %(count)s for %(total)s"), {"count": params["quantity"], "total": _money(params["total"])})


def any_cheapest_free(params: Params) -> str:
    return said(gettext_noop("any %(count)s: the cheapest free"), {"count": params["quantity"]})


def any_percent(params: Params) -> str:
    return said(gettext_noop("buy any %(count)s: %(percent)s %% off every one"),
                {"count": params["quantity"], "percent": _percent(params["percent"])})


def packs(params: Params, rest_at_unit_price: bool) -> str:
    values = {"size": params["pack_size"], "price": _money(params["pack_price"])}
    if rest_at_unit_price:
        return said(gettext_noop("packs of %(size)s at %(price)s, the rest at %(unit)s each"),
                    {**values, "unit": _money(params["unit_price"])})
    return said(gettext_noop("packs of %(size)s at %(price)s, the rest at their own price"), values)


def value_discount(params: Params) -> str:
    if params.get("percent"):
        off = said(gettext_noop("%(percent)s %%"), {"percent": _percent(params["percent"])})
    else:
        off = _money(params.get("amount") or "0")
    if params.get("scope") == "bill":
        reward = said(gettext_noop("%(off)s off the bill"), {"off": off})
    else:
        reward = said(gettext_noop("%(off)s off the group"), {"off": off})
    return said(gettext_noop("spend %(threshold)s: %(reward)s"), {"threshold": _money(params["threshold"]), "reward": reward})


def trigger(kind: str, params: Params) -> str:
    """What sets a goods or message kind off: ``buy 1 x COKE + 1 x SPRITE``, ``buy any 2``,
    ``spend 295.00`` (``(per threshold)`` when it repeats)."""
    if kind == "mix":
        return said(gettext_noop("buy %(mix)s"), {"mix": joined(" + ", tuple(units_of(m["quantity"], m["sku"]) for m in params["mix"]))})
    if kind == "group":
        return said(gettext_noop("buy any %(count)s"), {"count": params["quantity"]})
    if params.get("repeat"):
        return said(gettext_noop("spend %(threshold)s (per threshold)"), {"threshold": _money(params["threshold"])})
    return said(gettext_noop("spend %(threshold)s"), {"threshold": _money(params["threshold"])})


def goods(kind: str, params: Params, options: Sequence[str], quantity: Any, price: Any | None) -> str:
    """``buy any 2: 1 x SHAMPOO or CONDITIONER free``; purchase with purchase ``... at 1.00``."""
    values = {"trigger": trigger(kind, params), "quantity": quantity or 1,
              "options": joined(said(gettext_noop(" or ")), tuple(options))}
    if price is None:
        return said(gettext_noop("%(trigger)s: %(quantity)s x %(options)s free"), values)
    return said(gettext_noop("%(trigger)s: %(quantity)s x %(options)s at %(price)s"), {**values, "price": _money(price)})


def message(kind: str, params: Params) -> str:
    return said(gettext_noop("%(trigger)s: the promotion's message on the bill"), {"trigger": trigger(kind, params)})
