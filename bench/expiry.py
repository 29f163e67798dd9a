"""B4, points expiry over many lots against one set-based statement (``python -m bench.tasks expiry``)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.tasks import _org


def step_expiry(lots: int, members: int, due_share: float, runs: int = 1) -> dict[str, Any]:
    """``lots`` lots over ``members`` accounts (built with set-based SQL); the lots of a
    ``due_share`` of the accounts are past their date. Time one set-based statement doing the
    same expiry (rolled back), then ``points_expire_due``, then its idempotent rerun; ``runs``
    times, the expiry undone between runs (``_undo``, then VACUUM ANALYZE so no run pays for the
    previous one's dead rows): the spread of the ratio is what "stable" means."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount
    from sasom.ledger.services import points_expire_due
    from sasom.members.models import Member

    org = _org()
    pg = connection.vendor == "postgresql"
    today = dt.date(2031, 6, 1)
    t0 = time.monotonic()
    member_ids = list(Member.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)[:members])
    have = set(PointAccount.objects.filter(organization=org, member_id__in=member_ids).values_list("member_id", flat=True))
    PointAccount.objects.bulk_create(
        [PointAccount(organization=org, member_id=m) for m in member_ids if m not in have], batch_size=5000)
    acc_ids = list(PointAccount.objects.filter(organization=org, member_id__in=member_ids).order_by("pk")
                   .values_list("pk", flat=True))
    per = max(1, lots // len(acc_ids))
    due_accounts = int(len(acc_ids) * due_share)
    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    now = "2031-05-01 10:00:00+00"
    with transaction.atomic(), connection.cursor() as cur:
        # one earn entry and one lot per (account, k); lots of the first due_accounts accounts expired in 2031-05
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
    if pg:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {L}; ANALYZE {E}; ANALYZE {A}")
    built = time.monotonic() - t0
    total_lots = Lot.objects.filter(organization=org).count()
    due_lots = Lot.objects.filter(organization=org, remaining__gt=0, expires_on__lt=today).count()

    rounds = []
    entry_mark = _snapshot(org.pk, today) if runs > 1 else 0
    for n in range(max(1, runs)):
        if n:
            _undo(org.pk, entry_mark, pg)
        # the reference: one statement doing the same expiry (lots, one entry per account, draws, balances)
        t1 = time.monotonic()
        try:
            with transaction.atomic(), connection.cursor() as cur:
                if pg:
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
                                    FROM per RETURNING id, account_id),
                            drw AS (INSERT INTO {D} (organization_id, entry_id, lot_id, amount)
                                    SELECT %(org)s, ent.id, due.id, due.remaining FROM due JOIN ent USING (account_id))
                            UPDATE {A} a SET spendable = a.spendable - (per.total - coalesce(per.pend, 0)),
                                             pending = a.pending - coalesce(per.pend, 0), updated_at = now()
                            FROM per WHERE a.id = per.account_id""",
                        {"org": org.pk, "today": today, "today_s": today.isoformat()})
                    reference = "one data-modifying CTE: lots, one expire entry per account, draws, balances"
                else:
                    cur.execute(f"UPDATE {L} SET remaining = 0 WHERE organization_id = %s AND remaining > 0 AND expires_on < %s",
                                [org.pk, today])
                    reference = "one UPDATE of the due lots (SQLite: lots only)"
                raise _Rollback
        except _Rollback:
            pass
        ref_s = time.monotonic() - t1
        t2 = time.monotonic()
        expired = points_expire_due(organization_id=org.pk, today=today)
        job_s = time.monotonic() - t2
        t3 = time.monotonic()
        again = points_expire_due(organization_id=org.pk, today=today)
        rerun_s = time.monotonic() - t3
        rounds.append({"reference_s": round(ref_s, 3), "job_s": round(job_s, 3), "rerun_s": round(rerun_s, 3),
                       "expired_points": expired, "rerun_points": again, "ratio": round(ref_s / job_s, 3)})
    ratios = [r["ratio"] for r in rounds]
    first = rounds[0]
    return {"lots": total_lots, "due_lots": due_lots, "accounts": len(acc_ids), "due_accounts": due_accounts,
            "build_s": round(built, 1), "reference": reference, "runs": rounds,
            "ratio_median": sorted(ratios)[len(ratios) // 2], "ratio_min": min(ratios), "ratio_max": max(ratios),
            "reference_s": first["reference_s"], "job_s": first["job_s"], "expired_points": first["expired_points"],
            "rerun_s": max(r["rerun_s"] for r in rounds), "rerun_points": max(r["rerun_points"] for r in rounds)}


def _snapshot(org_id: int, today: dt.date) -> int:
    """Keep what the runs change (the due lots' remaining, the accounts' balances) in temporary
    tables; returns the highest entry id before the first run (the expire entries come after)."""
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


def _undo(org_id: int, entry_mark: int, pg: bool) -> None:
    """Put everything a run changed back as the snapshot has it: the entries it added (and their
    draws) deleted, the lots' remaining and the accounts' balances restored; then the tables
    vacuumed, so no run pays for the previous one's dead rows."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount

    E, L, D, A = (m._meta.db_table for m in (Entry, Lot, LotDraw, PointAccount))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {D} WHERE entry_id > %s", [entry_mark])
        cur.execute(f"DELETE FROM {E} WHERE id > %s AND organization_id = %s", [entry_mark, org_id])
        cur.execute(f"UPDATE {L} SET remaining = s.remaining FROM bench_lot_snap s WHERE {L}.id = s.id")
        cur.execute(f"UPDATE {A} SET spendable = s.spendable, pending = s.pending FROM bench_acc_snap s "
                    f"WHERE {A}.id = s.id AND ({A}.spendable <> s.spendable OR {A}.pending <> s.pending)")
    with connection.cursor() as cur:
        for table in (L, E, D, A):
            cur.execute(f"VACUUM ANALYZE {table}" if pg else f"ANALYZE {table}")


class _Rollback(Exception):
    pass
