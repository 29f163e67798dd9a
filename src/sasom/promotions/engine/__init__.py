"""The promotions engine: pure Python over the dataclasses of ``types`` (no ORM, no HTTP).

Entry points: ``index.promotion_set(mode, promotions, version) -> PromotionSet`` (compiled once
per organization) and ``resolver.resolve(pset, lines, context) -> Result``. Kinds live in
``kinds/`` (one module per kind, registered in ``kinds.KINDS``), like the earning engine's.
"""
