"""Price validation as a property: a price is taken exactly when it is money, and then stored
unchanged; otherwise it is refused with ``price_invalid`` and nothing is stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasom.catalog import errors, services
from sasom.catalog.models import Product
from sasom.catalog.validation import PRICE_LIMIT, clean_price
from sasom.core.audit import Actor
from sasom.core.errors import DomainError

prices = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.decimals(min_value=-1000, max_value=10**11, places=2),
    st.decimals(min_value=0, max_value=1000, places=3),
)


def _is_money(value: Decimal) -> bool:
    return value.is_finite() and value >= 0 and value * 100 == int(value * 100) and value < PRICE_LIMIT


@given(prices)
def test_a_price_is_taken_exactly_when_it_is_money(value):
    if _is_money(value):
        assert clean_price(value) == value
    else:
        with pytest.raises(DomainError) as refused:
            clean_price(value)
        assert (refused.value.code, refused.value.field) == (errors.PRICE_INVALID, "base_price")


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=prices)
def test_a_refused_price_stores_nothing(org, value):
    with transaction.atomic():
        try:
            product = services.product_create(organization_id=org.id, actor=Actor.system(), sku="P", name_th="p",
                                              base_price=value)
        except DomainError as refused:
            assert not _is_money(value) and refused.code == errors.PRICE_INVALID
            assert not Product.objects.filter(organization_id=org.id).exists()
        else:
            assert _is_money(value)
            product.refresh_from_db()
            assert product.base_price == value
        transaction.set_rollback(True)
