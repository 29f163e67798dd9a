"""The till's member discount in an IRR shop rounds half up to whole rial (``Terms.places``)."""

from __future__ import annotations

from decimal import Decimal

from sasom.catalog.pricing import LineIn, ProductPrices, Terms, basket_price

SAFFRON = ProductPrices(sku="SAFFRON", name="زعفران", category="", categories=frozenset(), brand="",
                        excluded_from_points=False, list_price=Decimal("1234567"), list_source="base")


def priced(places: int, quantity: str = "1"):
    terms = Terms(member_label="GOLD", benefits_active=True, discount_percent=Decimal("5"), places=places)
    lines = (LineIn(line_no=1, code="SAFFRON", quantity=Decimal(quantity), unit_price=None),)
    return basket_price(lines, {"SAFFRON": SAFFRON}, terms, open_lines=False)


def test_5_percent_of_1234567_rial_is_61728_rial():
    out = priced(0)
    (ln,) = out.lines
    assert (ln.member_discount, ln.net) == (Decimal("61728"), Decimal("1172839"))
    assert out.net == Decimal("1172839")


def test_the_same_in_thb_keeps_the_satang():
    (ln,) = priced(2).lines
    assert ln.member_discount == Decimal("61728.35")


def test_a_weighed_line_is_whole_rial():
    # 1.5 kg: 1,851,850.5 rial -> 1,851,851 (half up); 5 % of it 92,592.55 -> 92,593
    (ln,) = priced(0, "1.5").lines
    assert (ln.amount, ln.member_discount) == (Decimal("1851851"), Decimal("92593"))
