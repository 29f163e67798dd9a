from __future__ import annotations

import pytest

from sasom.catalog.demo import PRODUCTS, make_demo_catalog
from sasom.catalog.models import Product
from sasom.catalog.selectors import product_by_code

pytestmark = pytest.mark.django_db


def test_the_demo_shelves_are_made_once_and_found_by_barcode(org):
    assert make_demo_catalog(org) == len(PRODUCTS)
    assert make_demo_catalog(org) == 0  # running twice changes nothing
    milk = product_by_code(org.id, "8851111000066")
    assert (milk.sku, milk.category.parent.code, milk.pack_size) == ("MILK-6", "DRINK", 6)
    assert Product.objects.get(organization=org, sku="CIG-20").excluded_from_points
