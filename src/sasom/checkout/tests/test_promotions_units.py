"""A bill's units the promotions may count are bounded (checkout.promo.units_check): several kinds
take a group's or a bin's units one by one, so a slip of a quantity (99,999,999 units of a
promoted item, as the API's schema allows) is refused before the engine, not priced for minutes
with gigabytes. test_priced_basket's shop (chips 20.00, beer 60.00) with "buy 2 get 1" on chips."""

from __future__ import annotations

import pytest

from sasom.checkout.promo import MAX_UNITS
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.models import Sale

OVER = str(MAX_UNITS + 1)


@pytest.mark.parametrize("path", ["/api/v1/sales/quote", "/api/v1/sales"])
def test_more_units_of_promoted_items_than_the_promotions_count_is_refused_naming_the_quantity(b2g1, pos, path):
    # given "buy 2 get 1" on chips: a bill of chips whose second line passes the bound
    half = str(MAX_UNITS // 2)
    answer = post(pos, path, body(("BEER", "1"), ("CHIPS", half), ("CHIPS", half), ("CHIPS", "1"), phone=None))
    # then it is refused, naming the quantity that passes it, and nothing is posted
    assert answer.status_code == 400, answer.content
    assert (answer.json()["code"], answer.json()["field"]) == ("promoted_units_too_many", "lines.3.quantity")
    assert not Sale.objects.exists()


def test_units_no_promotion_touches_are_not_bounded(b2g1, pos):
    # a large delivery of beer, which no promotion counts, posts as before
    answer = post(pos, "/api/v1/sales", body(("BEER", OVER), ("CHIPS", "3"), phone=None))
    assert answer.status_code == 201, answer.content
    assert [ln["promotion_discount"] for ln in answer.json()["lines"]] == ["0.00", "20.00"]
