"""A currency's minor unit decides rounding; toman is a display unit over rial."""

from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.utils import translation

from sasom.core.currency import (
    Currency,
    currency_of,
    format_amount,
    parse_shown,
    places_of,
    shop_money,
)
from sasom.core.money import is_cents, money, money_floor, money_text


def test_minor_units_of_the_offered_currencies():
    assert [places_of(c) for c in ("THB", "USD", "EUR", "IRR")] == [2, 2, 2, 0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), Decimal("1")),  # half up, not half even (would give 0)
        (Decimal("2.5"), Decimal("3")),
        (Decimal("1172838.65"), Decimal("1172839")),
        (Decimal("61728.35"), Decimal("61728")),
        (Fraction(1, 2), Decimal("1")),
        (Fraction(-5, 2), Decimal("-3")),
        (7, Decimal("7")),
    ],
)
def test_rial_rounds_half_up_to_whole_rial(value, expected):
    assert money(value, 0) == expected
    assert money(value, 0).as_tuple().exponent == 0


def test_thb_is_unchanged_by_default():
    assert money(Decimal("0.025")) == Decimal("0.03")
    assert str(money(Fraction(1, 3))) == "0.33"
    assert money_text(Decimal("12.5")) == "12.50"


def test_floor_and_fit_follow_the_minor_unit():
    assert money_floor(Decimal("1999.99"), 0) == Decimal("1999")
    assert is_cents(Decimal("1234567"), 0)
    assert not is_cents(Decimal("1234567.5"), 0)
    assert is_cents(Decimal("1234567.50"), 2)
    assert money_text(Decimal("200000"), 0) == "200000"


def test_an_irr_currency_rounds_and_refuses_decimals():
    irr = Currency.of("irr")
    assert (irr.code, irr.places) == ("IRR", 0)
    assert irr.round(Decimal("61728.35")) == Decimal("61728")
    assert not irr.fits(Decimal("1.5"))


def test_toman_is_only_for_irr():
    assert Currency.of("THB", toman=True).toman is False
    assert currency_of(SimpleNamespace(currency="IRR", amounts_in_toman=True)).toman is True
    assert currency_of(None) == Currency()


def test_toman_forms_take_one_decimal_as_whole_rial():
    toman = Currency.of("IRR", toman=True)
    assert parse_shown("12,345.6", toman) == Decimal("123456")
    assert parse_shown("20,000", toman) == Decimal("200000")
    assert parse_shown("12,345.67", toman) is None  # finer than a rial
    assert parse_shown("abc", toman) is None
    assert parse_shown("12345.6", Currency.of("IRR")) is None  # a rial shop types whole rial


def test_amounts_are_shown_in_the_display_unit():
    assert format_amount(Decimal("1172839"), Currency.of("IRR", toman=True)) == "117,283.9"
    assert format_amount(Decimal("1172830"), Currency.of("IRR", toman=True)) == "117,283"
    assert format_amount(Decimal("1172839"), Currency.of("IRR")) == "1,172,839"
    assert format_amount(Decimal("1234.5"), Currency.of("THB")) == "1,234.50"


def test_persian_digits_for_persian_readers_only():
    shop = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=True)
    assert shop_money(Decimal("1172839"), shop, language="fa") == "۱۱۷,۲۸۳.۹"
    assert shop_money(Decimal("1172839"), shop, language="en") == "117,283.9"


def test_the_template_tags(rf):
    from django.template import Context, Template

    shop = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=False)
    with translation.override("en"):
        out = Template("{% load sasom %}{% shopmoney v %} {% shopunit %}").render(
            Context({"organization": shop, "v": Decimal("200000")}))
    assert out == "20,000 toman"
