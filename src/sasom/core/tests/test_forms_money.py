"""The money field: a toman shop types toman and rial is stored; THB and IRR their own places."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from sasom.core.bounded import BoundedForm
from sasom.core.forms_money import ShopMoneyField, currency_of_shop, typed_amount

TOMAN = SimpleNamespace(currency="IRR", amounts_in_toman=True)
RIAL = SimpleNamespace(currency="IRR", amounts_in_toman=False)
THB = SimpleNamespace(currency="THB", amounts_in_toman=False)


class PriceForm(BoundedForm):
    price = ShopMoneyField(max_digits=12, decimal_places=2)
    floor = ShopMoneyField(required=False, min_value=None)


def clean(shop, **data):
    with currency_of_shop(shop):
        form = PriceForm(data)
        return form.is_valid(), (form.cleaned_data if form.is_valid() else form.errors)


@pytest.mark.parametrize("typed", ["20000", "20,000", "۲۰٬۰۰۰", " 20 000 "])
def test_a_toman_shop_types_20000_and_200000_rial_is_stored(typed):
    ok, data = clean(TOMAN, price=typed)
    assert ok and data["price"] == Decimal("200000")


def test_one_decimal_of_a_toman_is_a_rial_and_two_are_refused_on_the_field():
    assert clean(TOMAN, price="12345.6") == (True, {"price": Decimal("123456"), "floor": None})
    with currency_of_shop(TOMAN):
        form = PriceForm({"price": "12345.67"})
        assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["price"]] == ["too_fine"]


def test_negative_and_nonsense_are_refused_on_the_field():
    for shop in (TOMAN, THB):
        ok, errors = clean(shop, price="-5")
        assert not ok and list(errors) == ["price"]
        ok, errors = clean(shop, price="abc")
        assert not ok and list(errors) == ["price"]


def test_a_field_may_take_a_negative_when_it_says_so():
    ok, data = clean(TOMAN, price="1", floor="-2.5")
    assert ok and data["floor"] == Decimal("-25")


def test_a_thb_shop_is_unchanged_and_a_rial_shop_types_whole_rial():
    assert clean(THB, price="25.50")[1]["price"] == Decimal("25.50")
    assert not clean(THB, price="25.505")[0]
    assert clean(RIAL, price="200000")[1]["price"] == Decimal("200000")
    ok, errors = clean(RIAL, price="12.5")
    assert not ok and list(errors) == ["price"]


def test_the_column_bounds_the_field_in_the_stored_unit():
    # 12 digits, 2 places: at most 9,999,999,999.99 rial; a toman amount ten times smaller
    assert clean(TOMAN, price="999999999.9")[0]
    assert not clean(TOMAN, price="1000000000")[0]


def test_a_stored_amount_is_shown_back_in_the_display_unit():
    with currency_of_shop(TOMAN):
        html = str(PriceForm(initial={"price": Decimal("200000"), "floor": Decimal("123456")}))
    assert 'value="20000"' in html and 'value="12345.6"' in html and 'dir="ltr"' in html
    with currency_of_shop(THB):
        assert 'value="25.50"' in str(PriceForm(initial={"price": Decimal("25.5")}))


def test_what_was_typed_is_shown_back_as_typed_after_an_error():
    with currency_of_shop(TOMAN):
        form = PriceForm({"price": "12345.67"})
        assert not form.is_valid()
        assert 'value="12345.67"' in str(form["price"])


def test_typed_amount_reads_persian_separators():
    assert typed_amount("۱۲٬۳۴۵٫۶") == Decimal("12345.6")
    assert typed_amount("NaN") is None and typed_amount("") is None
