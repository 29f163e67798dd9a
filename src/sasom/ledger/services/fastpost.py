"""The posting of a plain sale in one database call on PostgreSQL (docs/ledger.md, "The fast path").

A *plain* sale pays with nothing but money: no coupons, no points paid, no points for a referrer,
and the member's account owes no debt. For such a sale :func:`sale_post_fast` builds the same
:class:`~sasom.ledger.plan.SalePlan` as :func:`sasom.ledger.services.sales.sale_post` (from the
account as read with the member, before any lock), then hands it to the ``sasom_sale_post2(plan
jsonb)`` SQL function (``ledger/sql/sale_post2.sql``, the plan in wire format 2, ``ledger.plan_wire``) once: it locks (or creates) the account,
inserts the sale, its lines, the earn entry and its lot, adds the plan's deltas under the row
lock, and returns the new balances and the next expiry. The call is one autocommit statement, so
it is atomic without BEGIN/COMMIT round trips.

The function re-checks under the lock that the account is as the plan read it (first purchase or
not, debt); when not it writes nothing and answers ``stale``, and the caller posts through the
locked ORM path instead. A sale with POS promotions carries their uses in the plan
(``SalePlan.promotion_uses``): the function checks the budgets and per-member limits under the
promotions' row locks, stores the ``PromotionUse`` rows and counts, or writes nothing and answers
``refused`` (a promotion ran out since the basket was priced): the caller prices again under the
locks (``checkout.promo_commit``). The same happens (returns None) for every sale this path does not
cover. A replayed receipt answers the stored result, another body under the same receipt 409
``receipt_conflict``, as the ORM path.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.events import POINTS_EARNED, SALE_POSTED, event_wanted
from sasom.core.sql import prepared_row
from sasom.earning import engine
from sasom.ledger.models import LedgerSettings, PointAccount, Sale
from sasom.ledger.plan import LineRow, SalePlan, body_hash
from sasom.ledger.plan_member import (
    _MEMBER,
    _TYPE,
    MemberTypeValues,
    MemberValues,
    Picker,
    settings_of_values,
)
from sasom.ledger.plan_wire import FUNCTION as WIRE_FUNCTION
from sasom.ledger.plan_wire import plan_json
from sasom.ledger.policy import settings_of
from sasom.ledger.selectors import Balance
from sasom.ledger.services import core
from sasom.ledger.services.sales import (
    SalePostResult,
    earn_objects,
    plan_of,
    receipt_conflict,
    sale_announce,
    sale_object,
    sale_validate,
    stored_result,
)
from sasom.ledger.services.tier_measures import earned_sql
from sasom.ledger.services.tiering import TierPre, tier_precheck
from sasom.members.models import Member, MemberType
from sasom.organizations.models import Organization
from sasom.tiers.engine import WindowMeasure
from sasom.tiers.models import MemberTier, Tier
from sasom.tiers.selectors import TIER_CODE_READ

_CALL = f"SELECT * FROM {WIRE_FUNCTION}($1)"

# Points earned in a window by one account, net of what returns, voids and reversals took back of
# them (``ledger.services.tiering.measures``, as one prepared statement), for a member read without
# its window's measure (``checkout.pricing_read``'s two reads: a card, several references).
_EARNED = "SELECT " + earned_sql(organization="$1", account="$2", start="$3", end="$4")


def _earned(organization_id: int, account_id: int | None, start: dt.datetime, end: dt.datetime) -> int:
    if account_id is None:
        return 0  # no account yet: nothing earned
    row = prepared_row("sasom_tier_earned_v2", "bigint, bigint, timestamptz, timestamptz", _EARNED,
                            [organization_id, account_id, start, end])
    return int(row[0]) if row is not None else 0


@dataclass(frozen=True)
class FastPostResult(SalePostResult):
    """A post by the fast path also knows the balance the answer shows (next expiry included)."""

    balance: Balance | None = None
    lines: tuple[LineRow, ...] = ()  # the plan's lines, as the answer shows them (checkout.render_sale)


def fast_path_available() -> bool:
    """The fast path exists on PostgreSQL only; SQLite always posts through the ORM path."""
    return connection.vendor == "postgresql"


def sale_post_fast(
    *,
    organization: Organization,
    branch: Any,
    terminal: Any,
    receipt_id: str,
    basket: engine.Basket,
    member: Member | MemberValues | None = None,
    account: PointAccount | None = None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> FastPostResult | SalePostResult | None:
    """Post a plain sale in one call; None when the sale is not for this path (use ``sale_post``).

    ``account`` is the member's account as read with the member (None: the member has none yet);
    ``member`` is plain values (``ledger.plan_member``, the till's read) or a model instance whose
    ``organization`` should carry ``ledger_settings`` (select_related) to spare a query.
    """
    receipt_id = (receipt_id or "").strip()
    sale_validate(organization, branch, terminal, receipt_id, basket, member, 0)
    if basket.points_discount or basket.coupon_discount:
        return None
    if account is not None and account.debt:
        return None  # an earning pays debt first: the locked ORM path posts those
    now = now or timezone.now()
    settings = _settings(member, organization) if member is not None else None
    plan, _result = plan_of(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
        member=member, account=account, settings=settings, actor=actor, now=now,
        hashed=body_hash(basket, member.pk if member else None, 0),
    )
    if not plan.plain:
        return None  # two accounts to lock: the ORM path orders the locks
    # Events (and the webhook deliveries made of them) are recorded in the posting's transaction,
    # as on the ORM path: only when somebody subscribes does the call run inside BEGIN/COMMIT.
    listening = (plan.earn is not None and event_wanted(organization.pk, POINTS_EARNED)) or event_wanted(
        organization.pk, SALE_POSTED)
    # A sale that raises the member's tier moves it in the posting's transaction (decided before
    # the call: the window's measure so far plus this sale's; ledger.services.tiering), the measure
    # as read with the member when it was (checkout.pricing_read), else one query.
    tier_pre = None
    if member is not None:
        account_id = account.pk if account is not None else None
        tier_pre = tier_precheck(plan, earned_before=lambda start, end: _earned(organization.pk, account_id, start, end),
                                 read=member.tier_window if isinstance(member, MemberValues) else None)
    listening = listening or (tier_pre is not None and tier_pre.due)
    with transaction.atomic() if listening else nullcontext():
        row = prepared_row(f"{WIRE_FUNCTION}_v1", "jsonb", _CALL, [plan_json(plan)])
        assert row is not None
        (status, sale_id, stored_hash, account_id, spendable, pending, lifetime, debt, sale_count,
         account_created_at, entry_id, next_on, next_points, _refused) = row
        if status == "created":
            if tier_pre is not None and _raced(plan, account, sale_count, lifetime):
                tier_pre = None  # counted again after the post, under the account's lock (sales.sale_announce)
            sale, posted_account = _announce(plan, organization, branch, terminal, member, row, tier_pre)
    if status in ("stale", "refused"):
        return None  # nothing written: the account changed, or a promotion's budget or limit ran out
    if status == "replay":
        if stored_hash != plan.sale.body_hash:
            raise receipt_conflict()
        return stored_result(Sale.objects.get(pk=sale_id))
    balance = None
    if posted_account is not None:
        balance = Balance(spendable=spendable, pending=pending, lifetime_earned=lifetime, debt=debt,
                          next_expiry_on=next_on, next_expiry_points=next_points or 0)
    return FastPostResult(
        sale=sale, created=True, points_earned=plan.sale.points_earned, referrer_points=0, points_used=0,
        awards=list(plan.awards), spendable=spendable, pending=pending, debt=debt, account=posted_account,
        balance=balance, lines=plan.lines,
    )


def _raced(plan: SalePlan, account: PointAccount | None, sale_count: int, lifetime: int) -> bool:
    """Whether another posting reached the account between the read the tier's window was counted
    after (the account as read with the member) and this call: then that count may miss the other
    sale's points (two sales that cross a threshold only together), so the tier is counted again
    after the post. The function returns the account's counters as they are under its lock."""
    sales_before, earned_before = (account.sale_count, account.lifetime_earned) if account is not None else (0, 0)
    return (sale_count != sales_before + plan.delta.sale_count
            or lifetime != earned_before + plan.delta.lifetime_earned)


def _settings(member: Member | MemberValues, organization: Organization) -> LedgerSettings:
    """The points settings as they are now: those read with the member, else one query (never
    the settings of a cached organization, which may be older)."""
    if isinstance(member, MemberValues):
        return member.settings
    org = Member.organization.field.get_cached_value(member, default=None)
    if org is not None and Organization.ledger_settings.related.is_cached(org):
        return settings_of(cast(Organization, org))
    return LedgerSettings.objects.filter(organization_id=organization.pk).first() or LedgerSettings(
        organization_id=organization.pk)


def _announce(plan: SalePlan, organization: Organization, branch: Any, terminal: Any,
              member: Member | MemberValues | None,
              row: tuple[Any, ...], tier_pre: TierPre | None = None) -> tuple[Sale, PointAccount | None]:
    """The posted sale and account as objects (the answer is built from them, not re-read), and
    the ``points.earned`` event of the earn entry, as the ORM writer announces it."""
    (_status, sale_id, _hash, account_id, spendable, pending, lifetime, debt, sale_count,
     account_created_at, entry_id, _next_on, _next_points, _refused) = row
    s = plan.sale
    posted_account = None
    if member is not None:
        posted_account = PointAccount(
            pk=account_id, organization_id=organization.pk, member_id=member.pk, spendable=spendable,
            pending=pending, lifetime_earned=lifetime, debt=debt, sale_count=sale_count,
            created_at=account_created_at, updated_at=s.recorded_at,
        )
    sale = sale_object(plan, organization=organization, branch=branch, terminal=terminal,
                       member=member if isinstance(member, Member) else None, account=posted_account)
    sale.member_id = s.member_id  # plain values are no instance to attach
    sale.pk, sale.status, sale.void_reason = sale_id, Sale.Status.POSTED, ""
    sale._state.adding = False
    sale_announce(plan, sale_id=sale_id, branch_code=branch.code, terminal_code=terminal.code,
                  member_code=member.code if member is not None else None, tier_pre=tier_pre)
    if entry_id is not None and plan.earn is not None and event_wanted(organization.pk, POINTS_EARNED):
        entry, _lot = earn_objects(plan, account=posted_account, sale=sale, branch=branch, terminal=terminal)
        entry.pk = entry_id
        entry._state.adding = False
        assert posted_account is not None
        core.announce(entry, posted_account)
    return sale, posted_account


# ------------------------------------------------------------------ the read before the post


class _Columns:
    """One model's columns in a hand-written SELECT, and how to turn them back into an instance
    (Django's own converters, as its compiler applies them)."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in self.fields)
        self.names = [f.attname for f in self.fields]
        self._converters: list[tuple[Any, list[Any]]] | None = None

    def build(self, values: tuple[Any, ...]) -> Model | None:
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


def _lookup_parts() -> dict[str, Any]:
    if not _LOOKUP:
        parts = [_Columns(Member, "m"), _Columns(MemberType, "t"), _Columns(Organization, "o"),
                 _Columns(LedgerSettings, "s"), _Columns(PointAccount, "a")]
        select = ", ".join(p.sql for p in parts)
        # the member's tier code last: a sale of an organization with a ladder needs it (tiers)
        base = (
            f"SELECT {select}, tt.code FROM {Member._meta.db_table} m"
            f" JOIN {MemberType._meta.db_table} t ON t.id = m.member_type_id"
            f" JOIN {Organization._meta.db_table} o ON o.id = m.organization_id"
            f" LEFT JOIN {LedgerSettings._meta.db_table} s ON s.organization_id = m.organization_id"
            f" LEFT JOIN {PointAccount._meta.db_table} a ON a.organization_id = m.organization_id AND a.member_id = m.id"
            f" LEFT JOIN {MemberTier._meta.db_table} mt ON mt.organization_id = m.organization_id AND mt.member_id = m.id"
            f" LEFT JOIN {Tier._meta.db_table} tt ON tt.id = mt.tier_id"
            " WHERE m.organization_id = $1 AND m.{column} = $2 ORDER BY m.id LIMIT 1"
        )
        _LOOKUP.update(parts=parts, by_phone=base.replace("{column}", "phone"), by_code=base.replace("{column}", "code"))
    return _LOOKUP


def member_with_account(
    organization_id: int, *, phone: str | None = None, code: str | None = None
) -> tuple[Member, PointAccount | None] | None:
    """(member, account) of the member with this (normalized) phone or current code, in one
    query: the member with its type, its organization with its points settings, and its account
    (None when it has none yet). None when no member matches."""
    parts = _lookup_parts()
    by = "phone" if phone else "code"
    row = prepared_row(f"sasom_member_by_{by}_v2", "bigint, varchar", parts[f"by_{by}"],
                            [organization_id, phone or code])
    if row is None:
        return None
    member, account = member_of_row(row)
    return (member, account) if member is not None else None


def member_columns() -> str:
    """The select list of the member read (aliases m, t, o, s, a for the member, its type, its
    organization, its points settings and its account; the tier's code follows, alias tt), for a
    statement that reads more with the member (``checkout.pricing_read``)."""
    return ", ".join(p.sql for p in _lookup_parts()["parts"]) + ", tt.code"


def member_of_row(row: tuple[Any, ...] | list[Any]) -> tuple[Member | None, PointAccount | None]:
    """(member, account) of the first columns of ``row`` (:func:`member_columns`), the member
    with its type, organization and points settings attached; (None, None) for a row without one."""
    objs, at = [], 0
    for part in _lookup_parts()["parts"]:
        objs.append(part.build(tuple(row[at:at + len(part.fields)])))
        at += len(part.fields)
    member, member_type, organization, settings, account = objs
    if member is None:
        return None, None
    assert isinstance(member, Member) and (account is None or isinstance(account, PointAccount))
    setattr(member, TIER_CODE_READ, row[at] or "")
    Member.member_type.field.set_cached_value(member, member_type)
    Member.organization.field.set_cached_value(member, organization)
    Organization.ledger_settings.related.set_cached_value(organization, settings)
    if account is not None:
        PointAccount.member.field.set_cached_value(account, member)
    return member, account


def _pickers() -> dict[str, Any]:
    found = _LOOKUP.get("pickers")
    if found is None:
        member, member_type, _organization, settings, account = _lookup_parts()["parts"]
        at_type = len(member.fields)
        at_settings = at_type + len(member_type.fields) + len(_organization.fields)
        at_account = at_settings + len(settings.fields)
        found = {"member": Picker(Member, _MEMBER, member.names, 0),
                 "type": Picker(MemberType, _TYPE, member_type.names, at_type),
                 "settings": (at_settings, at_account), "account": (at_account, at_account + len(account.fields)),
                 "tier": at_account + len(account.fields)}
        _LOOKUP["pickers"] = found
    return found


def member_values_of_row(row: tuple[Any, ...] | list[Any], tier_window: WindowMeasure | None = None
                         ) -> tuple[MemberValues | None, PointAccount | None]:
    """(member, account) of the first columns of ``row`` (:func:`member_columns`): the member as
    plain values (``ledger.plan_member``; ``tier_window``, its measure in the sale's tier window
    when the statement read it), its account as the one model instance; (None, None) for a row
    without a member. :func:`member_of_row` of the same row builds the instances."""
    if row[0] is None:
        return None, None
    pick = _pickers()
    parts = _lookup_parts()["parts"]
    (mid, org_id, code, status, type_id, birth_on, expires_on, referred_by_id) = pick["member"].values(row)
    s0, s1 = pick["settings"]
    a0, a1 = pick["account"]
    settings = settings_of_values(tuple(row[s0:s1]), parts[3].build, org_id)
    account = parts[4].build(tuple(row[a0:a1]))
    assert account is None or isinstance(account, PointAccount)
    member = MemberValues(
        id=mid, organization_id=org_id, code=code, status=status, member_type_id=type_id, birth_on=birth_on,
        expires_on=expires_on, referred_by_id=referred_by_id, member_type=MemberTypeValues(*pick["type"].values(row)),
        settings=settings, tier_code=row[pick["tier"]] or "", row=tuple(row), tier_window=tier_window,
    )
    return member, account
