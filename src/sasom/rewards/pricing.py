"""Pure arithmetic for points used as money, proportional returns, periods and coupon codes.

No ORM here: the sale quote of the API can call :func:`points_discount_quote` with plain values.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sasom.core.money import money, money_floor

HUNDRED = Decimal(100)

# Coupon codes: no 0/O, 1/I/L, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 codes: guessing one issued code is hopeless.


@dataclass(frozen=True, slots=True)
class DiscountRuleData:
    """The organization's conversion for one member type: ``points_per_unit`` points are worth
    ``per_amount`` money (1 unless the shop states the money: "1 point = 10 rial" is 1 and 10)."""

    points_per_unit: int
    min_points: int = 0
    max_bill_percent: Decimal = HUNDRED
    max_balance_percent: Decimal = HUNDRED
    places: int = 2  # the organization's currency's minor unit (core.currency): 0 for IRR
    per_amount: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class DiscountQuote:
    max_points: int
    max_amount: Decimal
    bill_cap_points: int
    balance_cap_points: int
    min_points: int


def _rate(points_per_unit: int, per_amount: Decimal | int) -> Fraction:
    """Points per one unit of money, exactly (``Fraction``: 3 points = 1 baht is 3; 1 point = 10
    rial is 1/10), so no rate loses a digit before the one rounding at the end."""
    return Fraction(points_per_unit) / Fraction(Decimal(per_amount))


def points_to_money(points: int, points_per_unit: int, places: int = 2, *, per_amount: Decimal | int = 1) -> Decimal:
    """Money a number of points buys, rounded DOWN to the minor unit (the cent; a whole rial):
    the shop never gives more (1 point = 10 rial: 7 points buy 70 rial; 3 points = 1 baht: 1,000
    points buy 333.33 baht)."""
    return money_floor(Decimal(points) * Decimal(per_amount) / Decimal(points_per_unit), places)


def points_for_money(amount: Decimal, points_per_unit: int, *, per_amount: Decimal | int = 1) -> int:
    """The fewest points that buy ``amount`` (so a member never pays a point for nothing)."""
    return math.ceil(Fraction(Decimal(amount)) * _rate(points_per_unit, per_amount))


def points_discount_quote(*, bill_amount: Decimal, rule: DiscountRuleData, spendable: int) -> DiscountQuote:
    """The most points a member may use on a bill, and the money they are worth.

    Caps, all applied: at most ``max_bill_percent`` of the bill, at most ``max_balance_percent`` of
    the spendable balance (both floored to whole points), never more than the balance. The money is
    floored to the cent and the points brought down to the fewest that buy that money. Below
    ``min_points`` the answer is zero: the member cannot use points on this bill.

    Worked example (the user guide's): 10 points = 1 baht, 30 % of the bill, 50 % of the balance,
    bill 1,000.00 and 5,000 points spendable: the bill allows 3,000 points, the balance 2,500, so the
    quote is 2,500 points = 250.00 baht.
    """
    bill = max(Decimal(bill_amount), Decimal(0))
    spendable = max(int(spendable), 0)
    rate = _rate(rule.points_per_unit, rule.per_amount)
    bill_cap = math.floor(Fraction(bill) * Fraction(Decimal(rule.max_bill_percent)) / 100 * rate)
    balance_cap = math.floor(Decimal(spendable) * Decimal(rule.max_balance_percent) / HUNDRED)
    points = max(min(bill_cap, balance_cap, spendable), 0)
    amount = points_to_money(points, rule.points_per_unit, rule.places, per_amount=rule.per_amount)
    points = points_for_money(amount, rule.points_per_unit, per_amount=rule.per_amount)
    if points < max(rule.min_points, 1):
        points, amount = 0, money(0, rule.places)
    return DiscountQuote(
        max_points=points,
        max_amount=amount,
        bill_cap_points=bill_cap,
        balance_cap_points=balance_cap,
        min_points=rule.min_points,
    )


def proportional_points(*, points: int, bill_amount: Decimal, returned_total: Decimal) -> int:
    """Points due back once ``returned_total`` of a ``bill_amount`` bill has been returned.

    Computed on the cumulative returned amount, so several partial returns add up to exactly
    ``points`` when the whole bill comes back (no cent-by-cent drift); floored otherwise.
    """
    if bill_amount <= 0:
        return points
    share = min(Decimal(returned_total) / Decimal(bill_amount), Decimal(1))
    return min(points, math.floor(points * share))


def purchase_amount(*, points: int, point_price: Decimal, places: int = 2) -> Decimal:
    return money(Decimal(points) * point_price, places)


def coupon_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def coupon_code_normalize(raw: str) -> str:
    """What staff type or scan (``abcd-efgh-jkmn``, spaces) becomes the stored code."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def coupon_code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def local_midnight(day: dt.date, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zoneinfo.ZoneInfo(time_zone))


def period_start(period: str, now: dt.datetime, time_zone: str) -> dt.datetime | None:
    """Start of the limit period containing ``now`` in the organization's time zone (None: lifetime)."""
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    if period == "day":
        return local_midnight(local, time_zone)
    if period == "month":
        return local_midnight(local.replace(day=1), time_zone)
    if period == "year":
        return local_midnight(local.replace(month=1, day=1), time_zone)
    return None


def coupon_expiry(
    *, issued_at: dt.datetime, time_zone: str, validity_days: int | None, valid_until_on: dt.date | None
) -> dt.datetime:
    """When a coupon stops being valid (exclusive).

    ``validity_days`` counts the day of issue: 7 days from Monday is valid until Sunday 23:59:59.
    A fixed date is valid through that whole day. With both, the earlier wins; with neither, one year.
    """
    local_day = issued_at.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    ends = []
    if validity_days:
        ends.append(local_midnight(local_day + dt.timedelta(days=validity_days), time_zone))
    if valid_until_on:
        ends.append(local_midnight(valid_until_on + dt.timedelta(days=1), time_zone))
    if not ends:
        ends.append(local_midnight(local_day + dt.timedelta(days=366), time_zone))
    return min(ends)


def coupon_discount(
    *, kind: str, discount_kind: str, value: Decimal, eligible_amount: Decimal, places: int = 2
) -> Decimal:
    """Money a coupon takes off (discount) or pays (cash) on ``eligible_amount``; never more than it.
    A percent is floored to the currency's minor unit (``places``)."""
    eligible = max(Decimal(eligible_amount), Decimal(0))
    if kind == "discount" and discount_kind == "percent":
        off = money_floor(eligible * Decimal(value) / HUNDRED, places)
    else:
        off = money(value, places)
    return min(off, money(eligible, places))
