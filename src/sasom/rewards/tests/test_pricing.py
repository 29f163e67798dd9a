"""The pure arithmetic of rewards (``rewards.pricing``): points as money, the points-discount quote,
proportional returns, purchases, coupon codes, periods and expiry. No database: these are the tests
mutation testing runs against (scripts/mutation.sh)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.rewards.pricing import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DiscountRuleData,
    coupon_code_display,
    coupon_code_new,
    coupon_code_normalize,
    coupon_discount,
    coupon_expiry,
    period_start,
    points_discount_quote,
    points_for_money,
    points_to_money,
    proportional_points,
    purchase_amount,
)

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
D = Decimal
RULE = DiscountRuleData(points_per_unit=10, min_points=100, max_bill_percent=D("30"), max_balance_percent=D("50"))


def bkk(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=BKK)


# --- points as money ---------------------------------------------------------------------------


def test_points_buy_money_rounded_down_to_the_cent():
    # 3 points = 1 baht: 20 points are worth 6.666… → 6.66, never 6.67
    assert points_to_money(20, 3) == D("6.66")
    assert points_to_money(30, 3) == D("10.00")


def test_the_fewest_points_that_buy_an_amount():
    # 6.66 baht at 3 points a baht is 19.98 points → 20; a whole amount needs no rounding up
    assert points_for_money(D("6.66"), 3) == 20
    assert points_for_money(D("10.00"), 3) == 30


def test_quote_balance_cap_binds():
    # 10 points = 1 baht; 30 % of a 1,000-baht bill = 3,000 points; 50 % of 5,000 points = 2,500
    q = points_discount_quote(bill_amount=D("1000.00"), rule=RULE, spendable=5000)
    assert (q.bill_cap_points, q.balance_cap_points, q.min_points) == (3000, 2500, 100)
    assert (q.max_points, q.max_amount) == (2500, D("250.00"))


def test_quote_bill_cap_binds():
    # 30 % of a 400-baht bill = 120 baht = 1,200 points; half of 5,000 would allow 2,500
    q = points_discount_quote(bill_amount=D("400.00"), rule=RULE, spendable=5000)
    assert (q.max_points, q.max_amount) == (1200, D("120.00"))


def test_quote_caps_are_floored_to_whole_points():
    # 30 % of 10.05 baht = 3.015 baht = 30.15 points → 30; 50 % of 301 points = 150.5 → 150
    rule = DiscountRuleData(points_per_unit=10, max_bill_percent=D("30"), max_balance_percent=D("50"))
    q = points_discount_quote(bill_amount=D("10.05"), rule=rule, spendable=301)
    assert (q.bill_cap_points, q.balance_cap_points) == (30, 150)
    assert (q.max_points, q.max_amount) == (30, D("3.00"))


def test_quote_never_uses_more_than_the_balance():
    # no caps: a 1,000-baht bill allows 10,000 points, but the member has 70
    rule = DiscountRuleData(points_per_unit=10)
    q = points_discount_quote(bill_amount=D("1000.00"), rule=rule, spendable=70)
    assert (q.max_points, q.max_amount) == (70, D("7.00"))


def test_quote_never_uses_more_than_the_balance_whatever_the_balance_cap():
    # a balance cap above 100 % would allow more points than the member holds
    rule = DiscountRuleData(points_per_unit=10, max_balance_percent=D("150"))
    q = points_discount_quote(bill_amount=D("1000.00"), rule=rule, spendable=70)
    assert (q.balance_cap_points, q.max_points, q.max_amount) == (105, 70, D("7.00"))


def test_quote_at_the_minimum_is_allowed_below_it_is_zero():
    # 50 % of 200 points = 100 = the minimum: allowed; of 199 points = 99: refused
    at_minimum = points_discount_quote(bill_amount=D("1000.00"), rule=RULE, spendable=200)
    assert (at_minimum.max_points, at_minimum.max_amount) == (100, D("10.00"))
    below = points_discount_quote(bill_amount=D("1000.00"), rule=RULE, spendable=199)
    assert (below.max_points, below.max_amount) == (0, D("0.00"))


def test_quote_without_a_minimum_still_needs_one_point():
    # 1 point = 1 baht and a bill of 0.50: no whole point fits
    q = points_discount_quote(bill_amount=D("0.50"), rule=DiscountRuleData(points_per_unit=1), spendable=10)
    assert (q.max_points, q.max_amount) == (0, D("0.00"))
    one = points_discount_quote(bill_amount=D("1.00"), rule=DiscountRuleData(points_per_unit=1), spendable=10)
    assert (one.max_points, one.max_amount) == (1, D("1.00"))


@pytest.mark.parametrize(("bill", "spendable"), [(D("-50.00"), 500), (D("100.00"), -5), (D("0"), 500)])
def test_quote_of_a_negative_or_empty_bill_or_balance_is_zero(bill, spendable):
    q = points_discount_quote(bill_amount=bill, rule=DiscountRuleData(points_per_unit=1), spendable=spendable)
    assert (q.max_points, q.max_amount) == (0, D("0.00"))
    assert q.bill_cap_points >= 0 and q.balance_cap_points >= 0


def test_quote_never_charges_points_for_nothing():
    # 3 points = 1 baht: 10 points are worth 3.33; the fewest points for 3.33 are 10 (9.99 → 10)
    rule = DiscountRuleData(points_per_unit=3)
    q = points_discount_quote(bill_amount=D("3.335"), rule=rule, spendable=1000)
    assert q.max_amount == D("3.33") and q.max_points == 10
    # 11 points would be worth 3.66: the bill allows 10.005 points, so 10
    assert q.bill_cap_points == 10


# --- proportional returns and purchases --------------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "due"),
    [(D("333.00"), 3), (D("667.00"), 6), (D("999.99"), 9), (D("1000.00"), 10), (D("1500.00"), 10), (D("0"), 0)],
)
def test_points_due_back_are_floored_and_never_more_than_paid(returned, due):
    assert proportional_points(points=10, bill_amount=D("1000.00"), returned_total=returned) == due


def test_points_due_back_on_a_bill_of_one_baht():
    assert proportional_points(points=10, bill_amount=D("1.00"), returned_total=D("0.50")) == 5


def test_points_on_a_bill_of_nothing_all_come_back():
    assert proportional_points(points=7, bill_amount=D("0"), returned_total=D("0")) == 7


def test_proportional_points_add_up_to_the_whole_on_a_full_return():
    total, due = D("0"), []
    for part in (D("333.33"), D("333.33"), D("333.34")):
        total += part
        due.append(proportional_points(points=1000, bill_amount=D("1000.00"), returned_total=total))
    assert due == [333, 666, 1000]


def test_purchase_amount_is_money_rounded_half_up():
    assert purchase_amount(points=80, point_price=D("0.50")) == D("40.00")
    assert purchase_amount(points=3, point_price=D("0.335")) == D("1.01")  # 1.005 → 1.01


# --- coupon codes ------------------------------------------------------------------------------


def test_a_new_code_has_twelve_unambiguous_characters():
    codes = {coupon_code_new() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == CODE_LENGTH == 12
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_typed_codes_are_normalized_and_stored_codes_shown_in_fours():
    assert coupon_code_normalize(" abcd-efgh jkmn\n") == "ABCDEFGHJKMN"
    assert coupon_code_normalize("") == coupon_code_normalize(None) == ""  # type: ignore[arg-type]
    assert coupon_code_display("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    assert coupon_code_display("ABCDEFGHJK") == "ABCD-EFGH-JK"


# --- periods and expiry, in the organization's time zone ---------------------------------------


def test_a_limit_period_starts_at_local_midnight():
    # 31 March 2026 23:30 UTC is 1 April 06:30 in Bangkok
    now = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    assert period_start("day", now, "Asia/Bangkok") == bkk(2026, 4, 1)
    assert period_start("month", now, "Asia/Bangkok") == bkk(2026, 4, 1)
    assert period_start("year", now, "Asia/Bangkok") == bkk(2026, 1, 1)
    assert period_start("lifetime", now, "Asia/Bangkok") is None
    later = bkk(2026, 8, 17, 15)
    assert (period_start("day", later, "Asia/Bangkok"), period_start("month", later, "Asia/Bangkok")) == (
        bkk(2026, 8, 17), bkk(2026, 8, 1))


def test_periods_and_expiry_follow_the_organizations_time_zone():
    # 17 August 2026 20:00 UTC is 18 August 05:00 in Tokyo and 16:00 on the 17th in New York
    now = dt.datetime(2026, 8, 17, 20, tzinfo=dt.UTC)
    tokyo, new_york = zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("America/New_York")
    assert period_start("day", now, "Asia/Tokyo") == dt.datetime(2026, 8, 18, tzinfo=tokyo)
    assert period_start("day", now, "America/New_York") == dt.datetime(2026, 8, 17, tzinfo=new_york)
    assert period_start("year", now, "America/New_York") == dt.datetime(2026, 1, 1, tzinfo=new_york)
    assert coupon_expiry(issued_at=now, time_zone="Asia/Tokyo", validity_days=1, valid_until_on=None) == (
        dt.datetime(2026, 8, 19, tzinfo=tokyo))
    assert coupon_expiry(issued_at=now, time_zone="America/New_York", validity_days=1, valid_until_on=None) == (
        dt.datetime(2026, 8, 18, tzinfo=new_york))


def test_coupon_validity_counts_the_day_of_issue():
    # 7 days from Monday 2 March 2026 (issued at 23:00 Bangkok) is valid to the end of Sunday 8 March
    issued = bkk(2026, 3, 2, 23)
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=7, valid_until_on=None) == bkk(2026, 3, 9)
    # a fixed last day is valid through that day
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=None,
                         valid_until_on=dt.date(2026, 3, 5)) == bkk(2026, 3, 6)
    # with both, the earlier wins, whichever it is
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=7,
                         valid_until_on=dt.date(2026, 3, 5)) == bkk(2026, 3, 6)
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=2,
                         valid_until_on=dt.date(2026, 3, 5)) == bkk(2026, 3, 4)
    # with neither, a year (366 days)
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=None,
                         valid_until_on=None) == bkk(2027, 3, 3)


def test_coupon_expiry_uses_the_local_day_of_issue():
    # 1 March 2026 20:00 UTC is already 2 March in Bangkok
    issued = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
    assert coupon_expiry(issued_at=issued, time_zone="Asia/Bangkok", validity_days=1, valid_until_on=None) == bkk(2026, 3, 3)


# --- coupon amounts ----------------------------------------------------------------------------


def test_a_percent_coupon_takes_its_share_rounded_down():
    # 10 % of 33.35 = 3.335 → 3.33
    assert coupon_discount(kind="discount", discount_kind="percent", value=D("10"), eligible_amount=D("33.35")) == D("3.33")


def test_an_amount_or_cash_coupon_takes_its_value_but_never_more_than_the_bill():
    assert coupon_discount(kind="discount", discount_kind="amount", value=D("50"), eligible_amount=D("80.00")) == D("50.00")
    assert coupon_discount(kind="cash", discount_kind="", value=D("100"), eligible_amount=D("60.00")) == D("60.00")
    # a cash coupon is never a percent, whatever its discount kind says
    assert coupon_discount(kind="cash", discount_kind="percent", value=D("10"), eligible_amount=D("60.00")) == D("10.00")


def test_a_coupon_on_nothing_takes_nothing():
    assert coupon_discount(kind="cash", discount_kind="", value=D("100"), eligible_amount=D("-5.00")) == D("0.00")
    assert coupon_discount(kind="discount", discount_kind="percent", value=D("10"), eligible_amount=D("-5")) == D("0.00")
