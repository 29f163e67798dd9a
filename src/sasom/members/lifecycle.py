"""Lifecycle tools: bulk actions over members chosen by conditions, previewed before applied.

``lifecycle_preview`` counts; ``lifecycle_apply`` selects with the same function, refuses when the
count moved since the preview (someone else changed members meanwhile) and audits each member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError
from sasom.members.errors import PARAM_MISSING, PREVIEW_STALE, TOOL_UNKNOWN  # noqa: F401  (codes live in errors.py)

from .models import Member
from .selectors import members_bought_since, purchases_between
from .services import audit_bulk, member_anonymize
from .validation import add_months

RENEW = "renew"
EXTEND = "extend"
SET_EXPIRY = "set_expiry"
DEACTIVATE = "deactivate"
ANONYMIZE = "anonymize"
TOOLS = {
    RENEW: gettext_lazy("Renew"),
    EXTEND: gettext_lazy("Extend expiry by days"),
    SET_EXPIRY: gettext_lazy("Set an expiry date"),
    DEACTIVATE: gettext_lazy("Deactivate inactive members"),
    ANONYMIZE: gettext_lazy("Delete (anonymize personal data)"),
}
S = Member.Status


@dataclass
class Criteria:
    """Which members a tool acts on. Empty means "any"."""

    member_ids: list[int] = field(default_factory=list)
    member_type_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    joined_from: dt.date | None = None
    joined_to: dt.date | None = None
    expires_from: dt.date | None = None
    expires_to: dt.date | None = None
    min_purchases: Decimal | None = None
    purchases_from: dt.date | None = None
    purchases_to: dt.date | None = None
    # tool parameters
    days: int | None = None
    new_expires_on: dt.date | None = None
    inactive_since: dt.date | None = None
    target_status: str = S.SUSPENDED

    def as_audit(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, dt.date | Decimal) else v) for k, v in asdict(self).items() if v not in (None, [], "")}


def _base(organization_id: int, tool: str, c: Criteria, today: dt.date) -> QuerySet[Member]:
    qs = Member.objects.filter(organization_id=organization_id)
    if c.member_ids:
        qs = qs.filter(pk__in=c.member_ids)
    if c.member_type_ids:
        qs = qs.filter(member_type_id__in=c.member_type_ids)
    if c.statuses:
        qs = qs.filter(status__in=c.statuses)
    for name, lookup in (("joined_from", "joined_on__gte"), ("joined_to", "joined_on__lte"),
                         ("expires_from", "expires_on__gte"), ("expires_to", "expires_on__lte")):
        value = getattr(c, name)
        if value:
            qs = qs.filter(**{lookup: value})

    if tool == RENEW:
        return qs.filter(status__in=[S.ACTIVE, S.EXPIRED], member_type__card_validity_months__isnull=False)
    if tool == EXTEND:
        if not c.days or c.days < 1:
            raise DomainError(PARAM_MISSING, _("Enter a number of days (1 or more)."), field="days")
        return qs.filter(status__in=[S.ACTIVE, S.EXPIRED], expires_on__isnull=False)
    if tool == SET_EXPIRY:
        if not c.new_expires_on:
            raise DomainError(PARAM_MISSING, _("Enter the new expiry date."), field="new_expires_on")
        return qs.filter(status__in=[S.ACTIVE, S.EXPIRED, S.SUSPENDED])
    if tool == DEACTIVATE:
        if not c.inactive_since:
            raise DomainError(PARAM_MISSING, _("Enter the date since which members bought nothing."), field="inactive_since")
        if c.target_status not in (S.SUSPENDED, S.CLOSED):
            raise DomainError(PARAM_MISSING, _("Choose suspended or closed."), field="target_status")
        qs = qs.filter(status=S.ACTIVE, joined_on__lt=c.inactive_since)
        buyers = members_bought_since(organization_id, c.inactive_since)
        return qs.exclude(pk__in=buyers) if buyers is not None else qs
    if tool == ANONYMIZE:
        return qs.exclude(status=S.ANONYMIZED)
    raise DomainError(TOOL_UNKNOWN, _("Unknown tool."), field="tool")


def _selected_ids(organization_id: int, tool: str, c: Criteria, today: dt.date) -> Iterator[list[int]]:
    """Chosen member ids in chunks; the purchases condition is applied per chunk."""
    qs = _base(organization_id, tool, c, today).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:2000])
        if not chunk:
            return
        last = chunk[-1]
        if c.min_purchases is not None:
            totals = purchases_between(organization_id, chunk, c.purchases_from, c.purchases_to)
            chunk = [i for i in chunk if totals.get(i, Decimal(0)) >= c.min_purchases]
        if chunk:
            yield chunk


def lifecycle_preview(*, organization_id: int, tool: str, criteria: Criteria, today: dt.date | None = None) -> int:
    """How many members ``tool`` would change now."""
    today = today or timezone.localdate()
    if criteria.min_purchases is None:
        return _base(organization_id, tool, criteria, today).count()
    return sum(len(chunk) for chunk in _selected_ids(organization_id, tool, criteria, today))


def _next_state(
    tool: str, c: Criteria, today: dt.date, expires_on: dt.date | None, status: str, months: int | None
) -> tuple[dt.date | None, str]:
    """A member's expiry and status after ``tool``.

    Renewal runs from the current expiry while it is still ahead (no days lost by renewing
    early), else from today. A new expiry in the future makes an expired member active again.
    """
    if tool == RENEW:
        start = expires_on if expires_on and expires_on >= today else today
        return add_months(start, months or 0), S.ACTIVE
    if tool == DEACTIVATE:
        return expires_on, c.target_status
    if tool == EXTEND:
        expires_on = expires_on + dt.timedelta(days=c.days or 0) if expires_on else None
    elif tool == SET_EXPIRY:
        expires_on = c.new_expires_on
    if expires_on and status == S.EXPIRED and expires_on >= today:
        status = S.ACTIVE
    elif expires_on and status == S.ACTIVE and expires_on < today:
        status = S.EXPIRED
    return expires_on, status


def _write_back(rows: list[tuple[int, dt.date | None, str]]) -> None:
    """Set (expiry, status) for many members: one UPDATE ... FROM (VALUES ...) per thousand.

    ``bulk_update`` builds a CASE per column and took 120 s for 180k members on PostgreSQL.
    """
    table = connection.ops.quote_name(Member._meta.db_table)
    cast = "::date" if connection.vendor == "postgresql" else ""
    now = timezone.now()
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 1000):
            part = rows[i : i + 1000]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list[Any] = [now]
            for pk, expires_on, status in part:
                params += [pk, expires_on.isoformat() if expires_on else None, status]
            cursor.execute(
                f"UPDATE {table} SET updated_at = %s, expires_on = v.column2{cast}, status = v.column3 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


@transaction.atomic
def lifecycle_apply(
    *, organization_id: int, tool: str, criteria: Criteria, actor: Actor, expected_count: int | None = None,
    today: dt.date | None = None, reason: str = "",
) -> int:
    """Apply ``tool`` to the members ``lifecycle_preview`` counted; returns how many changed."""
    today = today or timezone.localdate()
    count = lifecycle_preview(organization_id=organization_id, tool=tool, criteria=criteria, today=today)
    if expected_count is not None and count != expected_count:
        raise Conflict(
            PREVIEW_STALE,
            _("The preview counted %(expected)s members but %(now)s match now; preview again.") % {"expected": expected_count, "now": count},
        )
    done = 0
    for chunk in list(_selected_ids(organization_id, tool, criteria, today)):
        if tool == ANONYMIZE:
            for m in Member.objects.filter(pk__in=chunk).order_by("pk"):
                member_anonymize(member=m, actor=actor, reason=reason)
            done += len(chunk)
            continue
        rows = list(
            Member.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk")
            .values_list("pk", "code", "expires_on", "status", "member_type__card_validity_months")
        )
        audits, changed = [], []
        for pk, code, expires_on, status, months in rows:
            new_expires, new_status = _next_state(tool, criteria, today, expires_on, status, months)
            change = {}
            if new_expires != expires_on:
                change["expires_on"] = [str(expires_on) if expires_on else None, str(new_expires) if new_expires else None]
            if new_status != status:
                change["status"] = [status, new_status]
            audits.append((pk, code, change))
            changed.append((pk, new_expires, new_status))
        _write_back(changed)
        audit_bulk(organization_id=organization_id, actor=actor, action=f"member.{tool}", members=audits, reason=reason)
        done += len(rows)
    audit_record(
        organization_id=organization_id, actor=actor, action=f"members.bulk_{tool}", object_type="members.member",
        object_repr=str(TOOLS.get(tool, tool)), changes={"count": [None, done], "criteria": [None, criteria.as_audit()]},
        reason=reason,
    )
    return done


@transaction.atomic
def members_expire_due(organization_id: int, today: dt.date | None = None, *, actor: Actor | None = None) -> int:
    """Mark active members whose card ran out (``expires_on`` before ``today``) as expired.

    For the scheduler; running it twice the same day changes nothing the second time.
    """
    today = today or timezone.localdate()
    actor = actor or Actor.system("members_expire_due")
    qs = Member.objects.filter(Q(organization_id=organization_id, status=S.ACTIVE, expires_on__lt=today))
    rows = list(qs.select_for_update().values_list("pk", "code"))
    if not rows:
        return 0
    ids = [pk for pk, _code in rows]
    for i in range(0, len(ids), 5000):
        Member.objects.filter(pk__in=ids[i : i + 5000]).update(status=S.EXPIRED, updated_at=timezone.now())
    audit_bulk(
        organization_id=organization_id, actor=actor, action="member.expire",
        members=((pk, code, {"status": [S.ACTIVE, S.EXPIRED]}) for pk, code in rows),
    )
    return len(rows)


def members_expire_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Member cards that ran out before the date are marked expired (the members' daily job)."""
    return {"expired_members": members_expire_due(organization_id, on_date)}
