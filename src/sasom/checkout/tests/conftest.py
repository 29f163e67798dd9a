"""The checkout's scenarios run in the ledger's shop: its rules, its helpers, and the ledger's
invariant checked after every test (balance == entries == open lots)."""

from sasom.ledger.tests.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    _ledger_invariant_after_each_test,
    actor,
    policy,
    sell,
    shop_rules,
)
