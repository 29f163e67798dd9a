"""The promotions engine: pure Python over the dataclasses of ``types`` (no ORM, no HTTP).

Entry point: ``resolve(promotions, lines, context) -> Result`` (``resolver.py``). Kinds live in
``kinds/`` (one module per kind, registered in ``kinds.KINDS``), like the earning engine's.
"""
