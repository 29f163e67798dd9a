"""Rewards and coupons over the JSON API: redeem at the counter, coupons at the POS, points as
money, and the catalog configuration.

Endpoints parse, resolve codes within the caller's organization (another organization's code is
simply not found: 404), and call the same services as the screens, so refusals carry the same
codes. The caller's branch: a branch-scoped key acts at its branch (a different ``branch`` in the
body is refused, 403); an unscoped key or a staff session names the branch. Staff sessions pass
``staff`` to the services, which enforce a branch-scoped role's branches. Schemas live in
:mod:`sasom.rewards.api_schemas`.

One router, :data:`router` (in :mod:`.common`); each module adds its operations to it:
:mod:`.redemptions`, :mod:`.coupons`, :mod:`.points_discount`, :mod:`.catalog`.
"""

from __future__ import annotations

# isort: off
# Operations are added to the router in import order, which is the OpenAPI document's path order.
from . import redemptions, coupons, points_discount, catalog  # noqa: F401
# isort: on
from .common import (
    E_BRANCH_REQUIRED,
    E_MEMBER_REF_EMPTY,
    E_REDEMPTION_NOT_FOUND,
    E_REWARD_NOT_FOUND,
    E_TEMPLATE_NOT_FOUND,
    E_UNKNOWN_BRANCH,
    E_UNKNOWN_MEMBER_TYPE,
    router,
)

__all__ = [
    "E_BRANCH_REQUIRED",
    "E_MEMBER_REF_EMPTY",
    "E_REDEMPTION_NOT_FOUND",
    "E_REWARD_NOT_FOUND",
    "E_TEMPLATE_NOT_FOUND",
    "E_UNKNOWN_BRANCH",
    "E_UNKNOWN_MEMBER_TYPE",
    "router",
]
