"""The bill as the rules see it: the organization's arithmetic settings (:class:`EarnPolicy`) and a
basket prepared once per compute (:class:`Bill`). Pure Python, no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from sasom.core.currency import places_of
from sasom.core.money import money
from sasom.earning.arithmetic import Rate, Rounding, rate_of
from sasom.earning.domain import Basket, BasketLine, MemberContext


class BaseRate(Rate, Protocol):
    """What the bill needs of the base rule it applies (``kinds.base.BaseRule``)."""

    def points_on(self, amount: Decimal) -> int: ...


@dataclass(frozen=True, slots=True)
class EarnPolicy:
    """Per-organization arithmetic settings (``EarnSettings`` compiled)."""

    rounding: str = Rounding.BILL
    base_includes_vat: bool = True
    vat_rate: Decimal = Decimal("7")
    excluded_categories: frozenset[str] = frozenset()
    expired_card_earns: bool = False
    # the calendar whose days and months birthdays follow (``core.calendars.period_calendar``)
    period_calendar: str = "gregorian"


class Bill:
    """A basket prepared once per compute: every line's eligible net (exact), the base rate chosen.

    Everything a rule asks of the basket (a set of lines' net, their base points) is computed once
    per ``compute`` and remembered, so the rules of a large rule set share the arithmetic. In the
    common case (no bill-level discount, prices with VAT) every line's eligible net is a whole
    number of cents and the sums run on integers; the result is the same exact value.

    Amounts round to the currency's minor unit (``places``: 2 for THB, 0 for IRR, from
    ``core.currency`` by the rule set's ``currency``); "cents" below are that minor unit.
    """

    __slots__ = (
        "basket", "member", "local", "policy", "currency", "places", "lines", "exact", "cents", "eligible_pos",
        "eligible_net", "base_rule", "base_points", "_net_of", "_base_of",
    )

    def __init__(self, basket: Basket, member: MemberContext, local: dt.datetime, policy: EarnPolicy, currency: str):
        self.basket = basket
        self.member = member
        self.local = local
        self.policy = policy
        self.currency = currency
        places = self.places = places_of(currency)
        self.lines: tuple[BasketLine, ...] = basket.lines
        self._net_of: dict[tuple[int, ...], Decimal] = {}
        self._base_of: dict[tuple[int, ...], Fraction] = {}
        self.base_rule: BaseRate | None = None
        self.base_points = 0
        cents = _cents_of(basket, policy, places)
        self.cents = cents
        self.exact: list[Fraction]
        self.eligible_pos: tuple[int, ...]
        self.eligible_net: Decimal
        if cents is not None:  # every line's exact net is its cents: ``exact`` is not built (nothing reads it)
            self.eligible_pos = tuple(i for i, c in enumerate(cents) if c > 0)
            self.eligible_net = _money_cents(sum(cents), places)
            return
        nets = [
            max(Fraction(0), Fraction(money(line.quantity * line.unit_price, places)) - Fraction(line.discount))
            for line in basket.lines
        ]
        total = sum(nets, Fraction(0))
        bill_discount = Fraction(basket.bill_discount + basket.points_discount + basket.coupon_discount)
        factor = max(Fraction(0), 1 - bill_discount / total) if total > 0 else Fraction(0)
        vat = 1 + Fraction(policy.vat_rate) / 100
        exact: list[Fraction] = []
        for line, net in zip(basket.lines, nets, strict=True):
            value = net * factor
            if line.excluded_from_points or (line.category and line.category in policy.excluded_categories):
                value = Fraction(0)
            elif not policy.base_includes_vat:
                value = value / vat
            exact.append(value)
        self.exact = exact
        self.eligible_pos = tuple(i for i, v in enumerate(exact) if v > 0)
        self.eligible_net = money(sum(exact, Fraction(0)), places)

    def net_of(self, positions: tuple[int, ...]) -> Decimal:
        done = self._net_of.get(positions)
        if done is None:
            if self.cents is not None:
                cents = self.cents
                done = _money_cents(sum(cents[i] for i in positions), self.places)
            else:
                done = money(sum((self.exact[i] for i in positions), Fraction(0)), self.places)
            self._net_of[positions] = done
        return done

    def line_nos(self, positions: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(self.lines[i].line_no for i in positions)

    def base_of(self, positions: tuple[int, ...]) -> Fraction:
        """Base points of some lines: exact in per-bill rounding, floored per line otherwise."""
        rule = self.base_rule
        if rule is None:
            return Fraction(0)
        done = self._base_of.get(positions)
        if done is None:
            if self.policy.rounding == Rounding.LINE:
                done = Fraction(sum(self._line_points(i) for i in positions))
            elif self.cents is not None:  # the lines' net is cents / 10^places exactly: one Fraction, not two
                rate = rate_of(rule)
                done = Fraction(sum(self.cents[i] for i in positions) * rate.numerator,
                                10**self.places * rate.denominator)
            else:
                done = Fraction(self.net_of(positions)) * rate_of(rule)
            self._base_of[positions] = done
        return done

    def _line_points(self, i: int) -> int:
        rule = self.base_rule
        assert rule is not None
        if self.cents is not None:
            return rule.points_on(_money_cents(self.cents[i], self.places))
        return rule.points_on(money(self.exact[i], self.places))

    def set_base(self, rule: BaseRate) -> None:
        self.base_rule = rule
        self._base_of.clear()
        if self.policy.rounding == Rounding.LINE:
            self.base_points = sum(self._line_points(i) for i in self.eligible_pos)
        else:
            self.base_points = rule.points_on(self.eligible_net)


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(0, 5)}  # the minor unit's quantum, per places


def _money_cents(cents: int, places: int = 2) -> Decimal:
    """A whole number of minor units as money: ``money(Fraction(cents, 10**places), places)``
    without rounding anything (the hot path calls this per line)."""
    return Decimal(cents).scaleb(-places)


def _cents_of(basket: Basket, policy: EarnPolicy, places: int = 2) -> list[int] | None:
    """Every line's eligible net in whole minor units when that is exact: no bill-level discount,
    prices with VAT (or nothing to take off) and line discounts of at most ``places`` decimals;
    None otherwise."""
    if basket.bill_discount or basket.points_discount or basket.coupon_discount:
        return None
    excluded = policy.excluded_categories
    includes_vat = policy.base_includes_vat
    quantum = _QUANTUM.get(places)
    out: list[int] = []
    for line in basket.lines:
        amount = line.quantity * line.unit_price
        if quantum is None or not amount.same_quantum(quantum):  # at exactly ``places`` decimals money changes nothing
            amount = money(amount, places)
        net = int(amount.scaleb(places))
        discount = line.discount
        if discount:
            exponent = discount.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -places:
                return None
            net -= int(discount.scaleb(places))
        if net < 0:
            net = 0
        if line.excluded_from_points or (line.category and line.category in excluded):
            net = 0
        elif not includes_vat and net:
            return None
        out.append(net)
    return out
