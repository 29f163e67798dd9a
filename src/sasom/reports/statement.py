"""The member statement: for a period, a member's opening balance, every movement with its
explanation and the balance after it, the closing balance and the points that expire next.

One member (by code) or every member of a member type with points, one page per member in the
PDF. Reads are set-based: five queries at most whatever the number of members (accounts, opening
balances, the period's entries, the rewards behind its redemptions, the open lots with an expiry).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import F, IntegerField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sasom.core.currency import currency_of
from sasom.core.dates import shop_date
from sasom.earning.explain import amounts_shown
from sasom.ledger.models import Entry, Lot, PointAccount
from sasom.reports import periods
from sasom.reports.framework import ReportForm, Scope, tier_filter
from sasom.rewards.models import Redemption

MAX_MEMBERS = 500  # one PDF; a bigger segment is printed by member type or in parts
EXPIRY_DATES_SHOWN = 6

SOURCES = {
    "rewards.redemption": gettext_lazy("Redemption"),
    "rewards.redemption_cancel": gettext_lazy("Redemption cancelled"),
    "rewards.coupon": gettext_lazy("Coupon"),
    "rewards.coupon_cancel": gettext_lazy("Coupon cancelled"),
    "rewards.pointspurchase": gettext_lazy("Points bought"),
}


class StatementForm(ReportForm):
    code = forms.CharField(label=gettext_lazy("Member code"), required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("code") or "").strip() and not data.get("member_type"):
            raise forms.ValidationError(gettext_lazy("Give a member code, or choose a member type for all its members."))
        return data


class StatementSpec:
    """What the framework's form asks of a report (the statement is not a table)."""

    slug = "statement"
    title = gettext_lazy("Member statement")
    description = gettext_lazy("Opening balance, every movement with its explanation, closing balance and the "
                               "points that expire next; one member or all members of a type, one page each.")
    group = gettext_lazy("Points")
    columns: tuple[Any, ...] = ()
    uses_dates = True
    uses_branch = False
    uses_member_type = True
    form_class = StatementForm

    def default_period(self, today: Any, organization: Any) -> tuple[Any, Any]:
        return periods.month_start(today, organization), today


@dataclass
class Movement:
    entry: Entry
    signed: int
    balance: int
    text: str


@dataclass
class Statement:
    member: Any
    opening: int = 0
    closing: int = 0
    points_in: int = 0
    points_out: int = 0
    movements: list[Movement] = field(default_factory=list)
    expiring: list[tuple[Any, int]] = field(default_factory=list)


REDEMPTION_SOURCES = ("rewards.redemption", "rewards.redemption_cancel")


def movement_text(entry: Entry, rewards: dict[str, str] | None = None, organization: Any = None) -> str:
    """Why the points moved, as the statement prints it (``rewards``: slip number -> what was taken),
    its dates in the ``organization``'s calendar and its amounts in its display unit (toman)."""
    parts: list[str] = []
    if entry.sale_id is not None and entry.sale is not None:
        parts.append(_("Receipt %(receipt)s") % {"receipt": entry.sale.receipt_id})
    if entry.branch is not None:
        parts.append(entry.branch.name)
    source = SOURCES.get(entry.source_type)
    if source:
        parts.append(f"{source} {entry.source_id}".strip())
        if rewards and entry.source_id in rewards:
            parts.append(rewards[entry.source_id])
    explanation = entry.explanation or {}
    for award in explanation.get("awards") or []:
        name = award.get("rule_name") or award.get("rule_code") or ""
        said = amounts_shown(str(award.get("explanation", "")), currency_of(organization))
        parts.append(f'+{award.get("points", 0)} {name}: {said}'.strip().rstrip(":"))
    if explanation.get("expired_on"):
        day = dt.date.fromisoformat(str(explanation["expired_on"]))
        parts.append(_("expired on %(day)s") % {"day": shop_date(day, organization, language=get_language() or "")})
    if explanation.get("debt_paid"):
        parts.append(_("%(n)s paid the debt first") % {"n": explanation["debt_paid"]})
    if entry.reason:
        parts.append(entry.reason)
    return " · ".join(p for p in parts if p)


def statement_accounts(scope: Scope) -> Any:
    accounts = (PointAccount.objects.filter(organization_id=scope.organization.pk)
                .select_related("member", "member__member_type").order_by("member__code"))
    code = (scope.data.get("code") or "").strip()
    if code:
        accounts = accounts.filter(member__code=code)
    if scope.member_type is not None:
        accounts = accounts.filter(member__member_type_id=scope.member_type.pk)
    accounts = accounts.filter(tier_filter(scope, "member_id"))
    return accounts


def statements_build(scope: Scope, accounts: list[PointAccount]) -> list[Statement]:
    """The statements of ``accounts`` for the scope's period (four more queries, at most)."""
    if not accounts:
        return []
    ids = [a.pk for a in accounts]
    signed = F("sign") * F("amount")
    openings = dict(
        Entry.objects.filter(account_id__in=ids, occurred_at__lt=scope.start_at).values("account_id")
        .annotate(s=Coalesce(Sum(signed, output_field=IntegerField()), 0)).values_list("account_id", "s"))
    by_account: dict[int, list[Entry]] = defaultdict(list)
    entries = (Entry.objects.filter(account_id__in=ids, occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at)
               .select_related("sale", "branch").order_by("occurred_at", "id"))
    slips: set[str] = set()
    for entry in entries:
        by_account[entry.account_id].append(entry)
        if entry.source_type in REDEMPTION_SOURCES:
            slips.add(entry.source_id)
    rewards = {number: f"{name} × {quantity}" for number, name, quantity in Redemption.objects.filter(
        organization_id=scope.organization.pk, number__in=slips).values_list("number", "reward__name", "quantity")
    } if slips else {}
    expiring: dict[int, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    lots = (Lot.objects.filter(account_id__in=ids, remaining__gt=0, expires_on__isnull=False)
            .order_by("expires_on").values_list("account_id", "expires_on", "remaining"))
    for account_id, expires_on, remaining in lots:
        expiring[account_id][expires_on] += remaining
    out = []
    for account in accounts:
        statement = Statement(member=account.member, opening=openings.get(account.pk, 0))
        balance = statement.opening
        for entry in by_account.get(account.pk, []):
            amount = entry.sign * entry.amount
            balance += amount
            if amount > 0:
                statement.points_in += amount
            else:
                statement.points_out -= amount
            statement.movements.append(Movement(entry=entry, signed=amount, balance=balance, text=movement_text(entry, rewards, scope.organization)))
        statement.closing = balance
        statement.expiring = list(expiring.get(account.pk, {}).items())[:EXPIRY_DATES_SHOWN]
        out.append(statement)
    return out
