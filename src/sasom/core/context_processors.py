from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sasom.core.permissions import GRANTS

# Menu groups of (url name, label, permission). Items whose URL is not installed or not permitted
# are hidden, and so is a group left empty; a group of one item shows as that item.
NAV: list[tuple[Any, list[tuple[str, Any, str]]]] = [
    (_("Dashboard"), [("core:dashboard", _("Dashboard"), "dashboard.view")]),
    (_("Reports"), [("reports:index", _("Reports"), "reports.view")]),
    (_("Members"), [
        ("members:list", _("Members"), "members.view"),
        ("members:types", _("Member types"), "member_types.view"),
        ("members:lifecycle", _("Lifecycle tools"), "members.lifecycle"),
        ("members:import", _("Import / export"), "members.import"),
    ]),
    (_("Products"), [
        ("catalog:products", _("Products"), "catalog.view"),
        ("catalog:categories", _("Categories"), "catalog.view"),
        ("catalog:brands", _("Brands"), "catalog.view"),
        ("prices:tables", _("Price tables"), "catalog.view"),
        ("prices:settings", _("Pricing settings"), "catalog.manage"),
        ("catalog:import", _("Import / export"), "catalog.manage"),
    ]),
    (_("Counter"), [
        ("checkout:till", _("Sale at the till"), "points.earn"),
        ("checkout:counter", _("Sale by totals"), "points.earn"),
        ("rewards:counter", _("Redeem"), "rewards.redeem"),
        ("checkout:cashier", _("Coupons at the till"), "coupons.use"),
    ]),
    (_("Transactions"), [
        ("ledger:daily", _("Sales and points of the day"), "points.view"),
        ("rewards:today", _("Redemptions of the day"), "rewards.view"),
        ("integrations:batches", _("Day-end batches"), "batches.manage"),
    ]),
    (_("Marketing"), [
        ("earning:rules", _("Earning rules"), "rules.view"),
        ("promotions:list", _("Promotions"), "promotions.view"),
        ("ledger:tiers", _("Tiers"), "rules.view"),
        ("rewards:catalog", _("Rewards"), "rewards.manage"),
        ("rewards:coupons", _("Coupons"), "coupons.manage"),
        ("notifications:events", _("Messages to members"), "messages.manage"),
        ("notifications:broadcasts", _("Broadcasts"), "messages.manage"),
    ]),
    (_("Setup"), [
        ("organizations:branches", _("Branches & terminals"), "branches.view"),
        ("organizations:staff", _("Staff & roles"), "staff.view"),
        ("organizations:settings", _("Organization settings"), "organization.manage"),
        ("ledger:settings", _("Points settings"), "points.settings"),
        ("integrations:api_keys", _("API keys"), "api_keys.manage"),
        ("integrations:webhooks", _("Webhooks"), "webhooks.manage"),
        ("notifications:channels", _("Messaging channels"), "messaging.manage"),
        ("core:audit", _("Audit trail"), "audit.view"),
        ("core:jobs", _("Scheduled jobs"), "jobs.manage"),
    ]),
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
    for group_label, items in NAV:
        links = []
        for name, label, perm in items:
            url = _installed(name) if perm in held else None
            if url:
                links.append({"url": url, "label": label, "active": False})
        if links:
            nav.append({"label": group_label, "items": links, "active": False})
    # One item is highlighted: the one whose address is the longest start of this page's
    # (/members/types/ is under Member types, not also under Members at /members/).
    matches = [item for group in nav for item in group["items"]
               if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
        for group in nav:
            group["active"] = any(i["active"] for i in group["items"])
    return {
        "staff": staff,
        "organization": staff.organization,
        "perms_sasom": held,
        "nav": nav,
    }
