"""The promotion kinds: one module per kind, registered in one explicit dict (its order is the
order of the kind menus). Each module declares one :class:`PromoKind` named ``KIND`` (or, for the
bill messages, one per trigger): label, description, parameters, ``clean``, ``build``,
``explain``, ``example``; its rule carries ``apply`` and ``hint``. docs/promotions.md, "Kinds".
"""

from __future__ import annotations

from sasom.promotions.engine.kinds import qty_free
from sasom.promotions.engine.types import PromoKind

KINDS: dict[str, PromoKind] = {
    kind.code: kind
    for kind in (
        qty_free.KIND,
    )
}

__all__ = ["KINDS"]
