"""The checkout's scenarios run in the ledger's shop: its rules, its helpers, and the ledger's
invariant checked after every test (balance == entries == open lots)."""

from sasom.checkout.tests.promo_shop import _fresh_promotions, b2g1, toman_shop  # noqa: F401  (the promotions' shop)
from sasom.checkout.tests.test_priced_basket import (  # noqa: F401  (its catalog, member and key)
    _fresh_caches,
    pos,
    shop,
    vip,
    vip_type,
)
from sasom.ledger.tests.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    _ledger_invariant_after_each_test,
    actor,
    policy,
    sell,
    shop_rules,
)
