"""Reads for branches, terminals and staff, always within the viewer's organization and scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sasom.core.currency import places_of
from sasom.core.permissions import GRANTS, branch_ids_in_scope
from sasom.organizations.models import Branch, Organization, Role, Staff, Terminal


def organization_places(organization_id: int) -> int:
    """The minor unit of the organization's currency (2 for THB, 0 for IRR: ``core.currency``)."""
    code = Organization.objects.filter(pk=organization_id).values_list("currency", flat=True).first()
    return places_of(code or "THB")


def branches_visible(viewer: Staff, *, include_inactive: bool = True) -> QuerySet[Branch]:
    """The viewer's organization's branches; a branch-scoped viewer sees only their own."""
    qs = Branch.objects.filter(organization_id=viewer.organization_id)
    scope = branch_ids_in_scope(viewer)
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.annotate(
        terminal_count=Count("terminals", filter=Q(terminals__is_active=True), distinct=True),
        staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
    ).order_by("code")


def branch_get(viewer: Staff, branch_id: int) -> Branch:
    """A branch the viewer may see, or 404 (another organization's branch does not exist for them)."""
    branch = branches_visible(viewer).filter(pk=branch_id).first()
    if branch is None:
        raise Http404
    return branch


def terminals_of(branch: Branch) -> QuerySet[Terminal]:
    return Terminal.objects.filter(organization_id=branch.organization_id, branch=branch).order_by("code")


def terminal_get(viewer: Staff, terminal_id: int) -> Terminal:
    terminal = (
        Terminal.objects.select_related("branch")
        .filter(organization_id=viewer.organization_id, pk=terminal_id)
        .first()
    )
    if terminal is None:
        raise Http404
    scope = branch_ids_in_scope(viewer)
    if scope is not None and terminal.branch_id not in scope:
        raise Http404
    return terminal


def staff_list(viewer: Staff, *, q: str = "", role: str = "", status: str = "") -> QuerySet[Staff]:
    """Everyone in the viewer's organization, active first; ``status`` is "", "active" or "inactive"."""
    qs = (
        Staff.objects.filter(organization_id=viewer.organization_id)
        .select_related("user")
        .prefetch_related(Prefetch("branches", queryset=Branch.objects.order_by("code")))
        .order_by("-is_active", "role", "user__username")
    )
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(display_name__icontains=q))
    if role in Role.values:
        qs = qs.filter(role=role)
    if status in ("active", "inactive"):
        qs = qs.filter(is_active=status == "active")
    return qs


def staff_get(viewer: Staff, staff_id: int) -> Staff:
    staff = (
        Staff.objects.select_related("user")
        .prefetch_related("branches")
        .filter(organization_id=viewer.organization_id, pk=staff_id)
        .first()
    )
    if staff is None:
        raise Http404
    return staff


# What each permission lets a role do, for the roles table. A permission missing here still
# appears (by its code), so the table can never leave one out.
PERMISSION_LABELS: dict[str, Any] = {
    "dashboard.view": _("See the dashboard"),
    "members.view": _("Look up members"),
    "members.create": _("Register members"),
    "members.edit": _("Edit member details"),
    "members.change_type": _("Change a member's type"),
    "members.cards": _("Issue and replace cards"),
    "members.lifecycle": _("Suspend, renew, close, merge members"),
    "members.anonymize": _("Anonymize a member (PDPA erasure)"),
    "members.import": _("Import members from a file"),
    "members.export": _("Export members"),
    "member_types.view": _("See member types"),
    "member_types.manage": _("Set up member types"),
    "catalog.view": _("See products, categories and brands"),
    "catalog.manage": _("Set up products, categories and brands"),
    "organization.manage": _("Change organization settings"),
    "branches.view": _("See branches and terminals"),
    "branches.manage": _("Set up branches and terminals"),
    "staff.view": _("See staff and roles"),
    "staff.manage": _("Add staff, change roles, reset passwords"),
    "audit.view": _("Read the audit trail"),
    "jobs.manage": _("See and run the scheduled jobs"),
    "api_keys.manage": _("Manage API keys"),
    "points.view": _("See points and transactions"),
    "points.earn": _("Give points for a sale"),
    "points.void": _("Void a sale's points"),
    "points.adjust": _("Adjust points by hand"),
    "points.settings": _("Set the points policy: expiry, pending days, returns"),
    "rules.view": _("See earning rules"),
    "rules.manage": _("Set up earning rules and campaigns"),
    "rewards.view": _("See rewards"),
    "rewards.manage": _("Set up the reward catalog"),
    "rewards.redeem": _("Redeem rewards for a member"),
    "rewards.cancel": _("Cancel a redemption"),
    "coupons.manage": _("Set up coupons"),
    "coupons.use": _("Accept coupons"),
    "batches.manage": _("Upload day-end batches"),
    "webhooks.manage": _("Manage webhooks"),
    "messaging.manage": _("Set up the messaging gateways"),
    "messages.manage": _("Set up messages to members and broadcasts"),
    "reports.view": _("See reports"),
    "promotions.view": _("See promotions"),
    "promotions.manage": _("Set up promotions"),
}


@dataclass(frozen=True)
class PermissionRow:
    code: str
    label: Any
    held: list[bool]


def roles_permission_table() -> tuple[list[tuple[str, StrOrPromise]], list[PermissionRow]]:
    """Roles (value, label) and one row per permission of ``GRANTS``, in the table's own order."""
    roles: list[tuple[str, StrOrPromise]] = list(Role.choices)
    rows = [
        PermissionRow(code=code, label=PERMISSION_LABELS.get(code, code), held=[value in granted for value, _label in roles])
        for code, granted in GRANTS.items()
    ]
    return roles, rows


def roles_markdown_table() -> str:
    """The roles table as Markdown (English), for the user guide; a test keeps the two equal."""
    from django.utils import translation

    roles, rows = roles_permission_table()
    with translation.override("en"):
        header = "| Permission | " + " | ".join(str(label) for _value, label in roles) + " |"
        lines = [header, "|" + "---|" * (len(roles) + 1)]
        for row in rows:
            marks = " | ".join("✓" if held else "–" for held in row.held)
            lines.append(f"| {row.label} (`{row.code}`) | {marks} |")
    return "\n".join(lines)
