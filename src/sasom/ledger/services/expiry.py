"""The expiry job, set-based per chunk of accounts.

``points_expire_due`` finds the accounts with due lots in one query, then works through them in
chunks (``EXPIRY_CHUNK`` account ids, primary-key order). Each chunk is one transaction:

1. lock the chunk's accounts with ``SELECT ... FOR UPDATE`` in primary-key order
   (:func:`sasom.ledger.locking.lock_account_ids` on PostgreSQL: the ids only, no objects);
2. re-read their due lots under the lock (one query), so a second run — or two runs at once —
   expires nothing more;
3. one INSERT of the expire entries (one per account: the sum of its due lots' remaining, with
   ``expired_on`` and the lot ids as explanation), one INSERT of the lot draws, one UPDATE of the
   lots to zero and one UPDATE of the accounts' cached balances — on PostgreSQL all four (and the
   read of the due lots) in one data-modifying statement;
4. each entry is announced to event subscribers; on PostgreSQL the entries are turned into
   objects only when somebody wants ``points.expired`` events of the organization.

The lock and the statement stay two statements: under READ COMMITTED a statement reads with the
snapshot it started with, so lots that a sale changed while the lock waited for it would be read
as they were before; the statement after the lock sees them as they are.

The entries, draws and balances are exactly those of :func:`sasom.ledger.services.core.expire_lots`
run account by account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sasom.core.events import POINTS_EXPIRED, event_wanted
from sasom.ledger.locking import lock_account_ids, lock_accounts
from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount
from sasom.ledger.policy import local_date
from sasom.ledger.services import core
from sasom.organizations.models import Organization

EXPIRY_CHUNK = 500


def due_account_ids(*, organization_id: int, today: dt.date) -> list[int]:
    """The accounts of the organization holding a lot past its date, in primary-key order."""
    ids = (
        Lot.objects.filter(organization_id=organization_id, remaining__gt=0, expires_on__lt=today)
        .values_list("account_id", flat=True)
        .distinct()
    )
    return sorted(set(ids))


def points_expire_due(
    *,
    organization_id: int,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    chunk: int = EXPIRY_CHUNK,
) -> int:
    """Expire every lot of the organization whose ``expires_on`` is before ``today`` (the local
    date in the organization's zone when not given). Returns the points expired.

    Chunks of ``chunk`` accounts, each locked in primary-key order and expired set-based in its own
    transaction; a second run, or two runs at once, expire nothing more.
    """
    now = now or timezone.now()
    if today is None:
        tz_name = Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
        today = local_date(now, tz_name)
    account_ids = due_account_ids(organization_id=organization_id, today=today)
    total = 0
    for start in range(0, len(account_ids), max(1, chunk)):
        total += expire_accounts(account_ids[start : start + chunk], today=today, now=now)
    return total


@transaction.atomic
def expire_accounts(
    account_ids: Sequence[int], *, today: dt.date, now: dt.datetime, portable: bool = False
) -> int:
    """Expire the due lots of ``account_ids`` (one chunk, one transaction). Returns the points.

    On PostgreSQL the work after the lock is one data-modifying statement (:func:`_expire_pg`);
    elsewhere, or with ``portable``, four ORM statements (:func:`_expire_portable`). Both write the
    same rows (the ledger tests run both).
    """
    if connection.vendor == "postgresql" and not portable:
        return _expire_pg(lock_account_ids(account_ids), today=today, now=now)
    accounts = lock_accounts(account_ids)
    if not accounts:
        return 0
    entries = _expire_portable(accounts, today=today, now=now)
    for entry in entries:
        core.announce(entry, accounts[entry.account_id])
    return sum(entry.amount for entry in entries)


def _expire_portable(accounts: dict[int, PointAccount], *, today: dt.date, now: dt.datetime) -> list[Entry]:
    ids = list(accounts)
    due = Lot.objects.filter(account_id__in=ids, remaining__gt=0, expires_on__lt=today)
    rows = list(due.order_by("account_id", "id").values_list("account_id", "id", "remaining", "is_pending"))
    if not rows:
        return []
    by_account: dict[int, list[tuple[int, int, int, bool]]] = {}
    for row in rows:
        by_account.setdefault(row[0], []).append(row)

    entries = [
        Entry(
            organization_id=accounts[account_id].organization_id,
            account=accounts[account_id],
            kind=Entry.Kind.EXPIRE,
            sign=-1,
            amount=sum(remaining for _a, _id, remaining, _p in lots),
            occurred_at=now,
            recorded_at=now,
            actor_label="system",
            explanation={"expired_on": today.isoformat(), "lots": [lot_id for _a, lot_id, _r, _p in lots]},
        )
        for account_id, lots in by_account.items()
    ]
    _insert_entries(entries)
    _insert_draws([entry.pk for entry in entries], today=today)

    # the balances: the same sums in SQL (one UPDATE) and on the locked objects (for the webhooks)
    changed_at = timezone.now()
    PointAccount.objects.filter(pk__in=list(by_account)).update(
        spendable=F("spendable") - _due_sum(today, pending=False),
        pending=F("pending") - _due_sum(today, pending=True),
        updated_at=changed_at,
    )
    for account_id, lots in by_account.items():
        account = accounts[account_id]
        for _a, _id, remaining, is_pending in lots:
            if is_pending:
                account.pending -= remaining
            else:
                account.spendable -= remaining
        account.updated_at = changed_at
    # the same rows as ``rows``: the accounts are locked, so their lots cannot change meanwhile
    due.update(remaining=0)
    return entries


def _expire_pg(account_ids: list[int], *, today: dt.date, now: dt.datetime) -> int:
    """The chunk's expiry as one statement (PostgreSQL), the accounts already locked: the due lots
    of the accounts, one expire entry per account, the draws, the lots to zero and the balances —
    the same rows as :func:`_expire_portable`. Returns the points; announces each entry when its
    organization's ``points.expired`` events are wanted (:func:`_announce`).

    The plan stays linear in the chunk: the accounts are reached by primary key (``= ANY`` of the
    chunk's ids, however many accounts the organization has), the entry's organization is its
    lots' (an account's lots are of its organization), and the statement hands back the entries
    alone (joining them to the updated balances inside it was planned as a nested loop over both
    CTEs, 500 x 500 rows a chunk)."""
    if not account_ids:
        return 0
    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    sql = f"""
        WITH due AS (
            SELECT id, organization_id, account_id, remaining, is_pending FROM {L}
            WHERE account_id = ANY(%(ids)s) AND remaining > 0 AND expires_on < %(today)s),
        per AS (
            SELECT account_id, min(organization_id) AS organization_id, sum(remaining) AS total,
                   coalesce(sum(remaining) FILTER (WHERE is_pending), 0) AS pend,
                   array_agg(id ORDER BY id) AS lot_ids
            FROM due GROUP BY account_id),
        ent AS (
            INSERT INTO {E} (organization_id, account_id, kind, sign, amount, debt_delta, source_type, source_id,
                             actor_label, reason, explanation, occurred_at, recorded_at)
            SELECT organization_id, account_id, %(kind)s, -1, total, 0, '', '', 'system', '',
                   jsonb_build_object('expired_on', %(today_s)s::text, 'lots', to_jsonb(lot_ids)), %(now)s, %(now)s
            FROM per ORDER BY account_id
            RETURNING id, organization_id, account_id, amount),
        drw AS (
            INSERT INTO {D} (organization_id, entry_id, lot_id, amount)
            SELECT due.organization_id, ent.id, due.id, due.remaining
            FROM due JOIN ent ON ent.account_id = due.account_id ORDER BY ent.id, due.id),
        upl AS (
            UPDATE {L} l SET remaining = 0 FROM due WHERE l.id = due.id),
        upa AS (
            UPDATE {A} a SET spendable = a.spendable - (per.total - per.pend), pending = a.pending - per.pend,
                             updated_at = %(changed)s
            FROM per WHERE a.id = per.account_id AND a.id = ANY(%(ids)s))
        SELECT id, organization_id, account_id, amount FROM ent ORDER BY account_id"""
    params: dict[str, Any] = {
        "ids": list(account_ids), "today": today, "today_s": today.isoformat(), "kind": Entry.Kind.EXPIRE,
        "now": now, "changed": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    _announce(rows, now=now)
    return sum(amount for _id, _org, _account, amount in rows)


def _announce(rows: list[tuple[int, int, int, int]], *, now: dt.datetime) -> None:
    """Announce the chunk's expire entries (id, organization, account, points) to the
    organizations that want ``points.expired`` events, with the balances each left (read after the
    statement: the accounts are still locked). Nothing is read or built when nobody wants them."""
    wanted = {org_id for org_id in {row[1] for row in rows} if event_wanted(org_id, POINTS_EXPIRED)}
    rows = [row for row in rows if row[1] in wanted]
    if not rows:
        return
    accounts = PointAccount.objects.only("id", "member_id", "spendable", "pending", "debt").in_bulk(
        [row[2] for row in rows])
    for entry_id, org_id, account_id, amount in rows:
        entry = Entry(pk=entry_id, organization_id=org_id, account_id=account_id, kind=Entry.Kind.EXPIRE, sign=-1,
                      amount=amount, occurred_at=now, recorded_at=now, actor_label="system")
        core.announce(entry, accounts[account_id])


def _due_sum(today: dt.date, *, pending: bool) -> Coalesce:
    """The remaining of the account's due lots in one bucket (0 when none), as a subquery."""
    lots = (
        Lot.objects.filter(account_id=OuterRef("pk"), remaining__gt=0, expires_on__lt=today, is_pending=pending)
        .order_by()
        .values("account_id")
        .annotate(total=Sum("remaining"))
        .values("total")
    )
    return Coalesce(Subquery(lots, output_field=BigIntegerField()), Value(0))


def _insert_draws(entry_ids: list[int], *, today: dt.date) -> None:
    """One INSERT ... SELECT of the draws: each new expire entry draws every due lot of its
    account to zero (runs before the lots are zeroed). Plain SQL that SQLite and PostgreSQL share."""
    marks = ", ".join(["%s"] * len(entry_ids))
    sql = (
        f"INSERT INTO {LotDraw._meta.db_table} (organization_id, entry_id, lot_id, amount) "
        f"SELECT l.organization_id, e.id, l.id, l.remaining "
        f"FROM {Entry._meta.db_table} e JOIN {Lot._meta.db_table} l ON l.account_id = e.account_id "
        f"WHERE e.id IN ({marks}) AND l.remaining > 0 AND l.expires_on < %s "
        f"ORDER BY e.id, l.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*entry_ids, connection.ops.adapt_datefield_value(today)])


def _insert_entries(entries: list[Entry]) -> None:
    """One multi-row INSERT that hands back the new ids (PostgreSQL and SQLite >= 3.35 both
    return them); row by row where the database cannot."""
    if connection.features.can_return_rows_from_bulk_insert:
        Entry.objects.bulk_create(entries, batch_size=EXPIRY_CHUNK)
    else:  # pragma: no cover - every supported database returns rows
        for entry in entries:
            entry.save(force_insert=True)
