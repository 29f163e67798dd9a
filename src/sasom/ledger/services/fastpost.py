"""The posting of a plain sale in one database call on PostgreSQL (docs/ledger.md, "The fast path").

A *plain* sale pays with nothing but money: no coupons, no points paid, no points for a referrer,
and the member's account owes no debt. For such a sale :func:`sale_post_fast` computes the awards
in Python exactly as :func:`sasom.ledger.services.sales.sale_post` does, then calls the
``sasom_sale_post`` SQL function (migration ``ledger.0002``) once: it locks (or creates) the
account, inserts the sale, its lines, the earn entry and its lot, adds the points with
``x = x + n`` under the row lock, and returns the new balances and the next expiry. The call is one
autocommit statement, so it is atomic without BEGIN/COMMIT round trips.

The engine decides from the account as read before the call (first purchase or not). The
function re-checks that, and that no debt appeared, under the lock; when either changed it writes
nothing and answers ``stale``, and the caller posts through the locked ORM path instead. The
same happens (returns None) for every sale this path does not cover. A replayed receipt answers
the stored result, another body under the same receipt 409 ``receipt_conflict``, as the ORM path.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor
from sasom.core.errors import Conflict
from sasom.earning import engine
from sasom.ledger.models import Entry, LedgerSettings, PointAccount, Sale
from sasom.ledger.policy import lot_dates, settings_of, zone
from sasom.ledger.selectors import Balance
from sasom.ledger.services import core
from sasom.ledger.services.sales import (
    RECEIPT_CONFLICT,
    SalePostResult,
    _body_hash,
    _context_json,
    _line_rows,
    _member_context,
    _ruleset,
    _stored_result,
    _validate,
    award_json,
    money,
)
from sasom.members.models import Member

_CALL_TYPES = (
    "bigint, bigint, bigint, varchar, varchar, timestamptz, timestamptz, bigint, boolean, varchar, varchar, varchar, "
    "boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric, bigint, numeric, jsonb, varchar, varchar, "
    "integer, integer[], varchar[], varchar[], varchar[], numeric[], numeric[], numeric[], numeric[], jsonb, date, "
    "timestamptz, boolean"
)
_CALL = "SELECT * FROM sasom_sale_post({})".format(", ".join(f"${i}" for i in range(1, 39)))

# Statements prepared on each database connection (PREPARE is per session): the parse and plan
# of the hot statements are paid once per connection instead of once per sale.
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _execute_prepared(name: str, types: str, body: str, params: list[Any]) -> tuple | None:
    """Run ``body`` (parameters ``$1``..``$n`` of ``types``) as the prepared statement ``name``
    on this thread's connection, preparing it first if this connection has not yet; one row."""
    connection.ensure_connection()
    done = _prepared.setdefault(connection.connection, set())
    with connection.cursor() as cursor:
        if name not in done:
            cursor.execute(f"PREPARE {name} ({types}) AS {body}")
            done.add(name)
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        return cursor.fetchone()


@dataclass(frozen=True)
class FastPostResult(SalePostResult):
    """A post by the fast path also knows the balance the answer shows (next expiry included)."""

    balance: Balance | None = None


def fast_path_available() -> bool:
    """The fast path exists on PostgreSQL only; SQLite always posts through the ORM path."""
    return connection.vendor == "postgresql"


def _listening(organization_id: int) -> bool:
    """Does a webhook endpoint of the organization want ``points.earned``? (cached per process)"""
    from sasom.integrations.webhooks import event_listeners

    return bool(event_listeners(organization_id, "points.earned"))


def sale_post_fast(
    *,
    organization,
    branch,
    terminal,
    receipt_id: str,
    basket: engine.Basket,
    member=None,
    account: PointAccount | None = None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> FastPostResult | SalePostResult | None:
    """Post a plain sale in one call; None when the sale is not for this path (use ``sale_post``).

    ``account`` is the member's account as read with the member (None: the member has none yet);
    ``member.organization`` should carry ``ledger_settings`` (select_related) to spare a query.
    """
    receipt_id = (receipt_id or "").strip()
    _validate(organization, branch, terminal, receipt_id, basket, member, 0)
    if basket.points_discount or basket.coupon_discount:
        return None
    if account is not None and account.debt:
        return None  # an earning pays debt first: the ORM path does that arithmetic
    body_hash = _body_hash(basket, member.pk if member else None, 0)
    now = now or timezone.now()
    tz_name = organization.time_zone
    if member is None:
        ctx = engine.MemberContext(member_id=None)
        first = None
    else:
        probe = account if account is not None else PointAccount(organization_id=organization.pk, member_id=member.pk)
        ctx = _member_context(member, probe, basket.occurred_at, tz_name)
        first = probe.sale_count == 0
    result = engine.compute(basket, ctx, _ruleset(organization.pk), tz=zone(tz_name))
    referrer_id = member.referred_by_id if member is not None and member.referred_by_id != member.pk else None
    if referrer_id and result.referrer_points:
        return None  # two accounts to lock: the ORM path orders the locks
    points = result.member_points if member is not None else 0

    lines, gross = _line_rows(organization.pk, basket)
    line_discounts = sum((ln.discount for ln in lines), Decimal("0"))
    bill_level = money(basket.bill_discount)
    awards = [award_json(a) for a in result.awards]
    explanation = {"awards": awards, "context": _context_json(ctx), "extra_discount": str(result.extra_discount)}
    entry_explanation = {"awards": [a for a in awards if a["beneficiary"] == "member"],
                         "eligible_net": str(result.eligible_net)}
    expires_on = pending_until = None
    if points:
        expires_on, pending_until = lot_dates(_settings(member, organization), basket.occurred_at, tz_name, pending=True)
    is_pending = pending_until is not None and pending_until > now
    fields = dict(
        document_type=basket.document_type, member_type_code=ctx.member_type, salesperson=basket.salesperson[:64],
        campaign_plan=basket.campaign_plan[:40], bag_declined=basket.bag_declined, gross=gross,
        discounts=line_discounts + bill_level, bill_discount=money(basket.bill_discount),
        coupon_discount=money(Decimal("0")), points_discount=money(Decimal("0")),
        net=gross - line_discounts - bill_level, eligible_net=money(result.eligible_net), points_earned=points,
        donation=money(result.donation), explanation=explanation, actor_label=actor.label[:200],
    )
    params = [
        organization.pk, branch.pk, terminal.pk, receipt_id, fields["document_type"], basket.occurred_at, now,
        member.pk if member else None, first, fields["member_type_code"], fields["salesperson"],
        fields["campaign_plan"], fields["bag_declined"], gross, fields["discounts"], fields["bill_discount"],
        fields["coupon_discount"], fields["points_discount"], fields["net"], fields["eligible_net"], points,
        fields["donation"], json.dumps(explanation), body_hash, fields["actor_label"], actor.user_id,
        [ln.line_no for ln in lines], [ln.sku for ln in lines], [ln.category for ln in lines],
        [ln.brand for ln in lines], [ln.quantity for ln in lines], [ln.unit_price for ln in lines],
        [ln.discount for ln in lines], [ln.net for ln in lines],
        json.dumps(entry_explanation), expires_on, pending_until if is_pending else None, is_pending,
    ]
    # Webhook deliveries are queued in the posting's transaction, as on the ORM path: only when
    # somebody listens does the call run inside BEGIN/COMMIT.
    listening = bool(points) and _listening(organization.pk)
    with transaction.atomic() if listening else nullcontext():
        row = _execute_prepared("sasom_sale_post_v1", _CALL_TYPES, _CALL, params)
        (status, sale_id, stored_hash, account_id, spendable, pending, lifetime, debt, sale_count,
         account_created_at, entry_id, next_on, next_points) = row
        if status == "created":
            sale, posted_account = _announce(organization, branch, terminal, receipt_id, basket, member, actor, now,
                                             fields, body_hash, points, entry_explanation, row)
    if status == "stale":
        return None  # nothing written: the engine's view of the account is out of date
    if status == "replay":
        if stored_hash != body_hash:
            raise Conflict(RECEIPT_CONFLICT, _("This receipt number was already posted with different content."),
                           field="receipt_id")
        return _stored_result(Sale.objects.get(pk=sale_id))
    balance = None
    if posted_account is not None:
        balance = Balance(spendable=spendable, pending=pending, lifetime_earned=lifetime, debt=debt,
                          next_expiry_on=next_on, next_expiry_points=next_points or 0)
    return FastPostResult(
        sale=sale, created=True, points_earned=points, referrer_points=0, points_used=0, awards=awards,
        spendable=spendable, pending=pending, debt=debt, account=posted_account, balance=balance,
    )


def _settings(member, organization) -> LedgerSettings:
    """The points settings as they are now: those read with the member, else one query (never
    the settings of a cached organization, which may be older)."""
    from sasom.organizations.models import Organization

    org = Member.organization.field.get_cached_value(member, default=None)
    if org is not None and Organization.ledger_settings.related.is_cached(org):
        return settings_of(org)
    return LedgerSettings.objects.filter(organization_id=organization.pk).first() or LedgerSettings(
        organization_id=organization.pk)


def _announce(organization, branch, terminal, receipt_id, basket, member, actor, now, fields, body_hash, points,
              entry_explanation, row) -> tuple[Sale, PointAccount | None]:
    """The posted sale and account as objects (the answer is built from them, not re-read), and
    the ``points.earned`` webhook of the earn entry, as ``core.credit`` announces it."""
    (_status, sale_id, _hash, account_id, spendable, pending, lifetime, debt, sale_count,
     account_created_at, entry_id, _next_on, _next_points) = row
    posted_account = None
    if member is not None:
        posted_account = PointAccount(
            pk=account_id, organization_id=organization.pk, member_id=member.pk, spendable=spendable,
            pending=pending, lifetime_earned=lifetime, debt=debt, sale_count=sale_count,
            created_at=account_created_at, updated_at=now,
        )
    sale = Sale(
        pk=sale_id, organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
        occurred_at=basket.occurred_at, recorded_at=now, member=member, account=posted_account,
        referrer_points=0, points_used=0, status=Sale.Status.POSTED, body_hash=body_hash,
        staff_user_id=actor.user_id, void_reason="", **fields,
    )
    sale._state.adding = False
    if entry_id is not None:
        entry = Entry(
            pk=entry_id, organization_id=organization.pk, account=posted_account, kind=Entry.Kind.EARN, sign=1,
            amount=points, debt_delta=0, sale=sale, branch=branch, terminal=terminal, source_type="sale",
            source_id=receipt_id, staff_user_id=actor.user_id, actor_label=fields["actor_label"],
            explanation=entry_explanation, occurred_at=basket.occurred_at, recorded_at=now,
        )
        entry._state.adding = False
        core.announce(entry, posted_account)
    return sale, posted_account


# ------------------------------------------------------------------ the read before the post


class _Columns:
    """One model's columns in a hand-written SELECT, and how to turn them back into an instance
    (Django's own converters, as its compiler applies them)."""

    def __init__(self, model, alias: str):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in self.fields)
        self.names = [f.attname for f in self.fields]
        self._converters = None

    def build(self, values: tuple):
        if self._converters is None:
            out = []
            for f in self.fields:
                col = f.get_col(f.model._meta.db_table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                out.append((col, found))
            self._converters = out
        if values[0] is None:
            return None
        converted = []
        for value, (col, converters) in zip(values, self._converters, strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.names, converted)


_LOOKUP: dict[str, Any] = {}


def _lookup_parts():
    if not _LOOKUP:
        from sasom.members.models import MemberType
        from sasom.organizations.models import Organization

        parts = [_Columns(Member, "m"), _Columns(MemberType, "t"), _Columns(Organization, "o"),
                 _Columns(LedgerSettings, "s"), _Columns(PointAccount, "a")]
        select = ", ".join(p.sql for p in parts)
        base = (
            f"SELECT {select} FROM {Member._meta.db_table} m"
            f" JOIN {MemberType._meta.db_table} t ON t.id = m.member_type_id"
            f" JOIN {Organization._meta.db_table} o ON o.id = m.organization_id"
            f" LEFT JOIN {LedgerSettings._meta.db_table} s ON s.organization_id = m.organization_id"
            f" LEFT JOIN {PointAccount._meta.db_table} a ON a.organization_id = m.organization_id AND a.member_id = m.id"
            " WHERE m.organization_id = $1 AND m.{column} = $2 ORDER BY m.id LIMIT 1"
        )
        _LOOKUP.update(parts=parts, by_phone=base.replace("{column}", "phone"), by_code=base.replace("{column}", "code"))
    return _LOOKUP


def member_with_account(organization_id: int, *, phone: str | None = None, code: str | None = None):
    """(member, account) of the member with this (normalized) phone or current code, in one
    query: the member with its type, its organization with its points settings, and its account
    (None when it has none yet). None when no member matches."""
    parts = _lookup_parts()
    by = "phone" if phone else "code"
    row = _execute_prepared(f"sasom_member_by_{by}_v1", "bigint, varchar", parts[f"by_{by}"],
                            [organization_id, phone or code])
    if row is None:
        return None
    objs, at = [], 0
    for part in parts["parts"]:
        objs.append(part.build(row[at:at + len(part.fields)]))
        at += len(part.fields)
    member, member_type, organization, settings, account = objs
    from sasom.organizations.models import Organization

    Member.member_type.field.set_cached_value(member, member_type)
    Member.organization.field.set_cached_value(member, organization)
    Organization.ledger_settings.related.set_cached_value(organization, settings)
    if account is not None:
        PointAccount.member.field.set_cached_value(account, member)
    return member, account
