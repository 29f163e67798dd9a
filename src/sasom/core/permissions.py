"""Who may do what.

Deny by default: a back-office view without ``@require_perm`` is refused by
``StaffContextMiddleware``; an API operation checks its permission in its router. The grant table
below is the only place that says which role holds which permission, so the user guide's role
table and the tests read from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied

from sasom.core.roles import Role


class Staff(Protocol):
    """What these checks read of an ``organizations.Staff`` (core imports no domain app)."""

    organization_id: int
    role: str
    branches: Any

    @property
    def is_active(self) -> bool: ...

    @property
    def is_branch_scoped(self) -> bool: ...


class Branch(Protocol):
    id: int
    organization_id: int

O, A, M, BM, C, SC, AU = (  # noqa: E741 - role initials keep the grant table readable
    Role.OWNER,
    Role.ADMIN,
    Role.MARKETING,
    Role.BRANCH_MANAGER,
    Role.CASHIER,
    Role.SERVICE_COUNTER,
    Role.AUDITOR,
)
EVERYONE = frozenset(Role)

GRANTS: dict[str, frozenset[str]] = {
    "dashboard.view": EVERYONE,
    # members
    "members.view": EVERYONE,
    "members.create": frozenset({O, A, BM, C, SC}),
    "members.edit": frozenset({O, A, BM, SC}),
    "members.change_type": frozenset({O, A, BM, SC}),
    "members.cards": frozenset({O, A, BM, SC}),
    "members.lifecycle": frozenset({O, A}),
    "members.anonymize": frozenset({O, A}),
    "members.import": frozenset({O, A}),
    "members.export": frozenset({O, A, M, AU}),
    "member_types.view": frozenset({O, A, M, BM, AU}),
    "member_types.manage": frozenset({O, A}),
    # catalog
    "catalog.view": EVERYONE,
    "catalog.manage": frozenset({O, A, M}),
    # organization
    "organization.manage": frozenset({O}),
    "branches.view": frozenset({O, A, BM, AU}),
    "branches.manage": frozenset({O, A}),
    "staff.view": frozenset({O, A, AU}),
    "staff.manage": frozenset({O, A}),
    "audit.view": frozenset({O, A, AU}),
    "jobs.manage": frozenset({O, A}),
    "api_keys.manage": frozenset({O, A}),
    # points
    "points.view": EVERYONE,
    "points.earn": frozenset({O, A, BM, C, SC}),
    "points.void": frozenset({O, A, BM, SC}),
    "points.adjust": frozenset({O, A}),
    "points.settings": frozenset({O, A}),
    "rules.view": frozenset({O, A, M, AU}),
    "rules.manage": frozenset({O, A, M}),
    # rewards
    "rewards.view": EVERYONE,
    "rewards.manage": frozenset({O, A, M}),
    "rewards.redeem": frozenset({O, A, BM, C, SC}),
    "rewards.cancel": frozenset({O, A, BM, SC}),
    "coupons.manage": frozenset({O, A, M}),
    "coupons.use": frozenset({O, A, BM, C, SC}),
    # integrations
    "batches.manage": frozenset({O, A}),
    "webhooks.manage": frozenset({O, A}),
    # messaging: gateways and their credentials
    "messaging.manage": frozenset({O, A}),
    # messages to members: event messages, their texts, quiet hours
    "messages.manage": frozenset({O, A, M}),
    "reports.view": frozenset({O, A, M, BM, AU}),
    # promotions at the till (issue 14)
    "promotions.view": frozenset({O, A, M, BM, AU}),
    "promotions.manage": frozenset({O, A, M}),
}


def role_has(role: str, permission: str) -> bool:
    """True when ``role`` holds ``permission``; an unknown permission is held by nobody."""
    return role in GRANTS.get(permission, frozenset())


def staff_has(staff: Staff | None, permission: str) -> bool:
    return bool(staff is not None and staff.is_active and role_has(staff.role, permission))


def branch_ids_in_scope(staff: Staff) -> set[int] | None:
    """The branches a staff member may act in; ``None`` means every branch of the organization."""
    if not staff.is_branch_scoped:
        return None
    return set(staff.branches.values_list("id", flat=True))


def ensure_branch_in_scope(staff: Staff, branch: Branch) -> None:
    if branch.organization_id != staff.organization_id:
        raise PermissionDenied("branch of another organization")
    scope = branch_ids_in_scope(staff)
    if scope is not None and branch.id not in scope:
        raise PermissionDenied("branch outside the staff member's scope")


def require_perm(*permissions: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a back-office view as needing every one of ``permissions``.

    The middleware refuses views without this mark, so forgetting it fails closed.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            staff = getattr(request, "staff", None)
            if not all(staff_has(staff, p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # A mark on the view function, read by StaffContextMiddleware; functions declare no such attribute.
        wrapped.sasom_permissions = tuple(permissions)  # type: ignore[attr-defined]
        return wrapped

    return decorate


def public_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that needs no staff login (login page, health check, language switch)."""
    view.sasom_public = True  # type: ignore[attr-defined]  # a mark read by StaffContextMiddleware
    return view


def permissions_of(role: str) -> list[str]:
    return sorted(p for p, roles in GRANTS.items() if role in roles)


def roles_with(permission: str) -> Iterable[str]:
    return [r for r in Role if r in GRANTS.get(permission, frozenset())]
