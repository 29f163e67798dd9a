"""B4, points expiry over many lots against one set-based statement (``python -m bench.tasks expiry``).

Fairness (docs/performance.md, B4): both sides start from the same rows in the same physical
state. Before each side the four tables are vacuumed and analysed (no side pays for the other's
dead rows, every hint bit is set, the visibility map is current), the cluster checkpoints (no side
pays for flushing the other's dirty pages, and both pay the same full-page images), and the rows
both read are warmed the same way; the side that goes first alternates between runs; each side
commits and is then undone from the snapshot, so the reference pays its deferred foreign-key
checks and its commit as the job does.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.tasks import _org

TODAY = dt.date(2031, 6, 1)


def step_expiry(lots: int, members: int, due_share: float, runs: int = 1) -> dict[str, Any]:
    """``lots`` lots over ``members`` accounts (built with set-based SQL); the lots of a
    ``due_share`` of the accounts are past their date. ``runs`` times: one set-based statement
    doing the same expiry, then ``points_expire_due`` and its idempotent rerun (the order of the
    two sides alternates between runs), each side undone after it (``_undo``) and the tables
    settled before it (``_settle``): the spread of the ratio is what "stable" means."""
    from django.db import connection

    from sasom.ledger.models import Lot

    org = _org()
    pg = connection.vendor == "postgresql"
    t0 = time.monotonic()
    acc_ids, due_accounts = _build(org, lots, members, due_share)
    built = time.monotonic() - t0
    total_lots = Lot.objects.filter(organization=org).count()
    due_lots = Lot.objects.filter(organization=org, remaining__gt=0, expires_on__lt=TODAY).count()

    entry_mark = _snapshot(org.pk, TODAY)
    # one untimed round first: the Python side's first calls (imports, cached queries) and the
    # cluster's first touch of the new rows are paid there, by neither measured side
    warmup = _round(org.pk, pg, entry_mark, reference_first=True)
    rounds = [_round(org.pk, pg, entry_mark, reference_first=n % 2 == 0) for n in range(max(1, runs))]
    reference = warmup.pop("reference")
    for r in rounds:
        r.pop("reference")
    ratios = [r["ratio"] for r in rounds]
    first = rounds[0]
    return {"lots": total_lots, "due_lots": due_lots, "accounts": len(acc_ids), "due_accounts": due_accounts,
            "build_s": round(built, 1), "reference": reference, "runs": rounds, "warmup": warmup,
            "ratio_median": sorted(ratios)[len(ratios) // 2], "ratio_min": min(ratios), "ratio_max": max(ratios),
            "reference_s": first["reference_s"], "job_s": first["job_s"], "expired_points": first["expired_points"],
            "same_points": all(r["reference_points"] in (None, r["expired_points"]) for r in rounds),
            "rerun_s": max(r["rerun_s"] for r in rounds), "rerun_points": max(r["rerun_points"] for r in rounds)}


def _round(org_id: int, pg: bool, entry_mark: int, *, reference_first: bool) -> dict[str, Any]:
    """One run: both sides from the same settled state, each undone after it."""
    from sasom.ledger.services import points_expire_due

    result: dict[str, Any] = {"first": "reference" if reference_first else "job"}
    for side in ("reference", "job") if reference_first else ("job", "reference"):
        _settle(org_id, pg)
        if side == "reference":
            t1 = time.monotonic()
            result["reference"], ref_points, statement_s = _reference(org_id, pg)
            result.update(reference_s=round(time.monotonic() - t1, 3), statement_s=round(statement_s, 3),
                          reference_points=ref_points)
        else:
            t2 = time.monotonic()
            expired = points_expire_due(organization_id=org_id, today=TODAY)
            job_s = time.monotonic() - t2
            t3 = time.monotonic()
            again = points_expire_due(organization_id=org_id, today=TODAY)
            result.update(job_s=round(job_s, 3), rerun_s=round(time.monotonic() - t3, 3),
                          expired_points=expired, rerun_points=again)
        _undo(org_id, entry_mark)
    result["ratio"] = round(result["reference_s"] / result["job_s"], 3)
    result["statement_ratio"] = round(result["statement_s"] / result["job_s"], 3)
    return result


def _build(org: Any, lots: int, members: int, due_share: float) -> tuple[list[int], int]:
    """One earn entry and one lot per (account, k); the lots of the first ``due_share`` of the
    accounts expired in 2031-05, the others a year later. Returns the account ids and the number
    of due accounts."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, Lot, PointAccount
    from sasom.members.models import Member

    member_ids = list(Member.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)[:members])
    have = set(PointAccount.objects.filter(organization=org, member_id__in=member_ids).values_list("member_id", flat=True))
    PointAccount.objects.bulk_create(
        [PointAccount(organization=org, member_id=m) for m in member_ids if m not in have], batch_size=5000)
    acc_ids = list(PointAccount.objects.filter(organization=org, member_id__in=member_ids).order_by("pk")
                   .values_list("pk", flat=True))
    per = max(1, lots // len(acc_ids))
    due_accounts = int(len(acc_ids) * due_share)
    E, L, A = (m._meta.db_table for m in (Entry, Lot, PointAccount))
    now = "2031-05-01 10:00:00+00"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_acc (n integer PRIMARY KEY, account_id bigint)")
        cur.executemany("INSERT INTO bench_acc VALUES (%s, %s)", list(enumerate(acc_ids)))
        cur.execute("CREATE TEMP TABLE bench_k (k integer PRIMARY KEY)")
        cur.executemany("INSERT INTO bench_k VALUES (%s)", [(k,) for k in range(per)])
        cur.execute(
            f"INSERT INTO {E} (organization_id, account_id, kind, sign, amount, debt_delta, source_type, source_id, "
            f"actor_label, reason, explanation, occurred_at, recorded_at) "
            f"SELECT %s, a.account_id, 'earn', 1, 10, 0, 'bench', CAST(k.k AS TEXT), 'bench', '', '{{}}', %s, %s "
            f"FROM bench_acc a CROSS JOIN bench_k k", [org.pk, now, now])
        cur.execute(
            f"INSERT INTO {L} (organization_id, account_id, entry_id, amount, remaining, earned_at, expires_on, is_pending) "
            f"SELECT e.organization_id, e.account_id, e.id, 10, 10, e.occurred_at, "
            f"CASE WHEN a.n < %s THEN %s ELSE %s END, %s "
            f"FROM {E} e JOIN bench_acc a ON a.account_id = e.account_id WHERE e.source_type = 'bench' AND e.kind = 'earn'",
            [due_accounts, dt.date(2031, 5, 15), dt.date(2032, 5, 1), False])
        cur.execute(f"UPDATE {A} SET spendable = spendable + %s, lifetime_earned = lifetime_earned + %s "
                    f"WHERE id IN (SELECT account_id FROM bench_acc)", [10 * per, 10 * per])
        cur.execute("DROP TABLE bench_acc")
        cur.execute("DROP TABLE bench_k")
    return acc_ids, due_accounts


def _reference(org_id: int, pg: bool) -> tuple[str, int | None, float]:
    """The same expiry as one statement, committed (undone after by ``_undo``); returns what it
    is, the points it expired (None on SQLite, where it is the lots' UPDATE alone) and the
    seconds of the statement alone (the rest is its commit: the deferred foreign-key checks of
    the rows it wrote and the WAL flush)."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount

    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    with transaction.atomic(), connection.cursor() as cur:
        t0 = time.monotonic()
        if not pg:
            cur.execute(f"UPDATE {L} SET remaining = 0 WHERE organization_id = %s AND remaining > 0 AND expires_on < %s",
                        [org_id, TODAY])
            return "one UPDATE of the due lots (SQLite: lots only)", None, time.monotonic() - t0
        cur.execute(
            f"""WITH due AS (
                  SELECT id, account_id, remaining, is_pending FROM {L}
                  WHERE organization_id = %(org)s AND remaining > 0 AND expires_on < %(today)s FOR UPDATE),
                upd AS (UPDATE {L} l SET remaining = 0 FROM due WHERE l.id = due.id),
                per AS (SELECT account_id, sum(remaining) AS total,
                               sum(remaining) FILTER (WHERE is_pending) AS pend,
                               array_agg(id) AS lot_ids FROM due GROUP BY account_id),
                ent AS (INSERT INTO {E} (organization_id, account_id, kind, sign, amount, debt_delta, source_type,
                          source_id, actor_label, reason, explanation, occurred_at, recorded_at)
                        SELECT %(org)s, account_id, 'expire', -1, total, 0, '', '', 'system', '',
                               jsonb_build_object('expired_on', %(today_s)s, 'lots', to_jsonb(lot_ids)), now(), now()
                        FROM per RETURNING id, account_id, amount),
                drw AS (INSERT INTO {D} (organization_id, entry_id, lot_id, amount)
                        SELECT %(org)s, ent.id, due.id, due.remaining FROM due JOIN ent USING (account_id)),
                bal AS (UPDATE {A} a SET spendable = a.spendable - (per.total - coalesce(per.pend, 0)),
                               pending = a.pending - coalesce(per.pend, 0), updated_at = now()
                        FROM per WHERE a.id = per.account_id)
                SELECT coalesce(sum(amount), 0) FROM ent""",
            {"org": org_id, "today": TODAY, "today_s": TODAY.isoformat()})
        points = int(cur.fetchone()[0])
        statement_s = time.monotonic() - t0
    return "one data-modifying CTE, committed: lots, one expire entry per account, draws, balances", points, statement_s


def _settle(org_id: int, pg: bool) -> None:
    """The same starting state for either side: the tables vacuumed and analysed (dead rows gone,
    hint bits and visibility map set), a checkpoint (no dirty pages left to the next side), then
    the due lots, their accounts and the indexes both sides read, warmed by one read."""
    from django.db import connection

    from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount

    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    with connection.cursor() as cur:
        for table in (L, E, D, A):
            cur.execute(f"VACUUM ANALYZE {table}" if pg else f"ANALYZE {table}")
        if pg:
            cur.execute("CHECKPOINT")
        cur.execute(f"SELECT count(*), sum(l.remaining), sum(a.spendable) FROM {L} l JOIN {A} a ON a.id = l.account_id "
                    f"WHERE l.organization_id = %s AND l.remaining > 0 AND l.expires_on < %s", [org_id, TODAY])
        cur.fetchall()


def _snapshot(org_id: int, today: dt.date) -> int:
    """Keep what a side changes (the due lots' remaining, the accounts' balances) in temporary
    tables; returns the highest entry id before the first side (the expire entries come after)."""
    from django.db import connection

    from sasom.ledger.models import Entry, Lot, PointAccount

    E, L, A = (m._meta.db_table for m in (Entry, Lot, PointAccount))
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE bench_lot_snap AS SELECT id, remaining FROM {L} "
                    f"WHERE organization_id = %s AND remaining > 0 AND expires_on < %s", [org_id, today])
        cur.execute(f"CREATE TEMP TABLE bench_acc_snap AS SELECT id, spendable, pending FROM {A} WHERE organization_id = %s",
                    [org_id])
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {E}")
        return cur.fetchone()[0]


def _undo(org_id: int, entry_mark: int) -> None:
    """Put everything a side changed back as the snapshot has it: the entries it added (and their
    draws) deleted, the lots' remaining and the accounts' balances restored."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount

    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Entries are never deleted by Sasom, so no index serves the lots' foreign key to their
            # entry (docs/performance.md, "Indexes a sale writes"): the deferred check of each deleted
            # entry would scan every lot. The undo only removes rows the side added, which nothing
            # else references; the bench's throwaway role is a superuser.
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(f"DELETE FROM {D} WHERE entry_id > %s", [entry_mark])
        cur.execute(f"DELETE FROM {E} WHERE id > %s AND organization_id = %s", [entry_mark, org_id])
        cur.execute(f"UPDATE {L} SET remaining = s.remaining FROM bench_lot_snap s "
                    f"WHERE {L}.id = s.id AND {L}.remaining <> s.remaining")
        cur.execute(f"UPDATE {A} SET spendable = s.spendable, pending = s.pending FROM bench_acc_snap s "
                    f"WHERE {A}.id = s.id AND ({A}.spendable <> s.spendable OR {A}.pending <> s.pending)")
