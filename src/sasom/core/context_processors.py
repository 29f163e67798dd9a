from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sasom.core.permissions import GRANTS

# (url name, label, permission). Items whose URL is not installed or not permitted are hidden.
NAV: list[tuple[str, Any, str]] = [
    ("core:dashboard", _("Dashboard"), "dashboard.view"),
    ("members:list", _("Members"), "members.view"),
    ("ledger:counter", _("Cashier"), "points.earn"),
    ("ledger:daily", _("Transactions"), "points.view"),
    ("rewards:counter", _("Redeem"), "rewards.redeem"),
    ("rewards:cashier", _("Coupons at the till"), "coupons.use"),
    ("rewards:today", _("Redemptions of the day"), "rewards.view"),
    ("rewards:catalog", _("Rewards"), "rewards.manage"),
    ("rewards:coupons", _("Coupons"), "coupons.manage"),
    ("earning:rules", _("Earning rules"), "rules.view"),
    ("members:types", _("Member types"), "member_types.view"),
    ("members:lifecycle", _("Lifecycle tools"), "members.lifecycle"),
    ("members:import", _("Import / export"), "members.import"),
    ("integrations:batches", _("Day-end batches"), "batches.manage"),
    ("organizations:branches", _("Branches & terminals"), "branches.view"),
    ("organizations:staff", _("Staff & roles"), "staff.view"),
    ("organizations:settings", _("Organization settings"), "organization.manage"),
    ("ledger:settings", _("Points settings"), "points.settings"),
    ("integrations:api_keys", _("API keys"), "api_keys.manage"),
    ("integrations:webhooks", _("Webhooks"), "webhooks.manage"),
    ("core:audit", _("Audit trail"), "audit.view"),
]


def _installed(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def sasom(request: HttpRequest) -> dict[str, Any]:
    staff = getattr(request, "staff", None)
    if staff is None:
        return {"staff": None, "perms_sasom": frozenset(), "nav": []}
    held = frozenset(p for p, roles in GRANTS.items() if staff.role in roles)
    nav = []
    for name, label, perm in NAV:
        url = _installed(name) if perm in held else None
        if url:
            nav.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return {
        "staff": staff,
        "organization": staff.organization,
        "perms_sasom": held,
        "nav": nav,
    }
