"""Django's current time zone is the organization's, for a request and for the worker's jobs.

Screens, receipts, messages and exports show moments in the organization's zone: the ``shopdate``
and ``shoptime`` tags convert on their own, but Django's ``|date``/``|time`` filters, ``localtime()``
and ``localdate()`` read the *current* zone, which is the server's (``TIME_ZONE``, Asia/Bangkok)
unless someone activates another. The zone is one part of the shop's context, activated with its
calendar and currency in one place: ``core.shopcontext`` (``ShopContextMiddleware``,
``shop_activate``, ``shop_zone``). The names below are kept for the modules that import them here.
"""

from __future__ import annotations

from sasom.core.shopcontext import shop_activate, shop_of, shop_reset, shop_zone, zone_named

__all__ = ["shop_activate", "shop_of", "shop_reset", "shop_zone", "zone_named"]
