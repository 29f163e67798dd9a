"""POS promotions (issue 14): the basket promotions Thai retail runs on, priced at the till.

``engine/`` is pure Python (no Django): the promotion kinds (one module each, one registry), the
resolver that assigns units to promotions (priority order or best for the customer) and the
hints. ``models.py`` stores promotions; ``compile.py`` turns an organization's active promotions
into an engine ``PromotionSet`` (cached per process by version); the checkout calls the engine
between member prices and member discounts (DOMAIN.md 9). docs/promotions.md.
"""
