"""Quote == commit for a 5d pack promotion at mixed prices (docs/promotions.md, 5d): the packs
that give the lowest total, in either mode. Walk-ins; rice 100.00, beer 60.00, chips 20.00."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_promotions_props import quote_and_commit
from sasom.ledger.models import SaleLine
from sasom.promotions.models import PromotionSettings


@pytest.mark.parametrize("mode", ["priority", "best"])
def test_5d_at_mixed_prices_the_quote_is_what_the_commit_posts(shop, terminal, mode):
    # given "3 for 150, the rest at 15" on rice, beer and chips, in either mode
    promotion(shop, "PACK3", "bin_pack_lowest", {"pack_size": 3, "pack_price": "150", "unit_price": "15"},
              ["RICE", "BEER", "CHIPS"])
    PromotionSettings.objects.filter(organization=shop).update(mode=mode)
    # when 2 rice + 1 beer + 3 chips (320.00) are quoted and committed
    quoted, sale = quote_and_commit(shop, terminal, None, [("RICE", "2"), ("BEER", "1"), ("CHIPS", "3")],
                                    f"PACK-{mode}")
    # then the dearest three form a pack (150.00) and the chips stay loose at 15 (45.00): a second
    # pack of chips (60.00) would cost more than 3 x 15
    assert quoted == sale.net == Decimal("195.00")
    stored = SaleLine.objects.filter(sale=sale)
    assert sum((ln.discount for ln in stored), Decimal("0")) == Decimal("125.00")
