"""B10: a tier cut-off over many members (``ledger.services.tiering.tiers_cutoff_run``) against one
SQL statement doing the same update, in the same process (PostgreSQL).

``python -m bench.tiers_cutoff --members 100000 --entries 5`` (the database ``DATABASE_URL``
names). In an organization of its own, built with set-based SQL: ``members`` members, each with
an account, a Platinum tier state and ``entries`` earn entries in the year of the cut-off (one in
eight of them also has a return of its last earning); the points are spread so that about a
quarter keep Platinum and the rest drop to Gold, Basic or no tier. A superuser role (the
throwaway cluster's) builds without a key check per row, the keys then checked once; ``--keep``
reuses a build of the same size, its cut-off undone; ``--chunk N`` sets the job's states per
transaction. Then:

1. the reference, rolled back: one data-modifying statement that sums every member's window net
   of reversals, picks the tier the points reach, updates the states that drop and inserts their
   history rows;
2. the job, ``tiers_cutoff_run`` for 31 December (yearly cut-off, 12-month window), with its
   peak memory (``ru_maxrss`` before and after, same process);
3. its rerun (the cut-off is recorded as finished: it returns at once and moves nobody).

Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")

ORG_CODE = "BENCH-TIERS"
CUTOFF = dt.date(2030, 12, 31)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fast_session(cur: Any) -> bool:
    """Switch this transaction's triggers off when the role may (a superuser: the throwaway
    cluster's role): no foreign-key check per row and no queue of deferred checks to drain at
    commit; :func:`_check_keys` checks the keys once, set-based, instead. Otherwise the checks
    run at once, row by row (no deferred queue either)."""
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cur.fetchone()[0]:
        cur.execute("SET LOCAL session_replication_role = replica")
        return True
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return False


def _check_keys(cur: Any, org_id: int, keys: list[tuple[str, str, str]]) -> None:
    """Each written foreign key (table, column, referenced table) once, as an anti-join over the
    organization's rows: the bench fails rather than measure on rows that break a key."""
    for table, column, target in keys:
        cur.execute(f"SELECT COUNT(*) FROM {table} x WHERE x.organization_id = %s AND x.{column} IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM {target} y WHERE y.id = x.{column})", [org_id])
        broken = cur.fetchone()[0]
        if broken:
            raise RuntimeError(f"{broken} rows of {table}.{column} name no {target} row")


def _named_elsewhere(cur: Any, org_id: int, tables: tuple[str, ...]) -> bool:
    """Whether no row of a table other than ``tables`` names one of the organization's rows of
    ``tables`` through a foreign key (then those rows can go without a check per row)."""
    cur.execute("SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)", [list(tables)])
    for table, column, target in cur.fetchall():
        if table in tables:
            continue
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table} x JOIN {target} y ON y.id = x.{column} "
                    f"WHERE y.organization_id = %s)", [org_id])
        if cur.fetchone()[0]:
            return False
    return True


def _build(members: int, entries: int, keep: bool) -> dict[str, Any]:
    """The organization's members, accounts, tier states and entries, set-based. ``keep``: a build
    of the same size already there is reused (its cut-off undone: states back to Platinum, history
    and run marker removed), so chunk sizes can be compared on the same data."""
    from django.db import connection, transaction

    from sasom.core.audit import Actor
    from sasom.ledger.models import Entry, PointAccount
    from sasom.members.models import Member, MemberType
    from sasom.organizations.models import Organization
    from sasom.tiers.models import CutoffRun, MemberTier, Tier, TierChange
    from sasom.tiers.services import TierIn, ladder_configure

    org, _ = Organization.objects.get_or_create(code=ORG_CODE, defaults={"name": "bench tiers"})
    mt, _ = MemberType.objects.get_or_create(organization=org, code="GEN", defaults={"name": "general"})
    ladder_configure(organization_id=org.pk, actor=Actor.system("bench"), name="B10", window_months=12,
                     cutoff_frequency="yearly", tiers=[TierIn("B10-BASIC", "Basic", 500),
                                                      TierIn("B10-GOLD", "Gold", 1000),
                                                      TierIn("B10-PLAT", "Platinum", 2000)])
    plat = Tier.objects.get(organization=org, code="B10-PLAT")
    M, A, E, S, C = (m._meta.db_table for m in (Member, PointAccount, Entry, MemberTier, TierChange))
    t0 = time.monotonic()
    CutoffRun.objects.filter(organization=org).delete()  # a bench run before finished this cut-off
    if keep and Member.objects.filter(organization=org).count() == members and \
            Entry.objects.filter(organization=org, kind="earn").count() == members * entries:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {C} WHERE organization_id = %s", [org.pk])
            cur.execute(f"UPDATE {S} SET tier_id = %s, reached_on = '2030-01-01', expires_on = NULL, "
                        f"updated_at = now() WHERE organization_id = %s", [plat.pk, org.pk])
        with connection.cursor() as cur:
            for table in (S, C):
                cur.execute(f"VACUUM ANALYZE {table}")
        return {"org": org, "build_s": round(time.monotonic() - t0, 1), "kept": True,
                "entries": Entry.objects.filter(organization=org).count()}
    with transaction.atomic(), connection.cursor() as cur:
        # a key check per deleted row (members alone are named by dozens of tables) took a minute
        # for 20,000 members: when nothing outside these tables names the rows, delete unchecked
        if not (_fast_session(cur) and _named_elsewhere(cur, org.pk, (M, A, E, S, C))):
            cur.execute("SET LOCAL session_replication_role = DEFAULT")
        for table in (C, S, E, A, M):
            cur.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org.pk])
    deleted_s = time.monotonic() - t0
    with transaction.atomic(), connection.cursor() as cur:
        fast = _fast_session(cur)
        template = Member(organization=org, member_type=mt, code="T", first_name="bench", last_name="tiers",
                          joined_on=dt.date(2030, 1, 1))
        cols = [f for f in Member._meta.concrete_fields if f.column != "id"]
        names = ", ".join(f.column for f in cols)
        exprs, params = [], []
        for f in cols:
            if f.column == "code":
                exprs.append("'B10-' || CAST(g AS TEXT)")
            elif f.column == "phone":
                exprs.append("NULL")
            else:
                exprs.append("%s")
                params.append(f.get_db_prep_save(f.pre_save(template, True), connection))
        cur.execute(f"INSERT INTO {M} ({names}) SELECT {', '.join(exprs)} FROM generate_series(1, %s) g",
                    [*params, members])
        cur.execute(f"INSERT INTO {A} (organization_id, member_id, spendable, pending, lifetime_earned, debt, "
                    f"sale_count, created_at, updated_at) SELECT organization_id, id, 0, 0, 0, 0, 0, now(), now() "
                    f"FROM {M} WHERE organization_id = %s ORDER BY id", [org.pk])
        cur.execute(f"INSERT INTO {S} (organization_id, member_id, tier_id, reached_on, floor_note, updated_at) "
                    f"SELECT organization_id, id, %s, '2030-01-01', '', now() FROM {M} WHERE organization_id = %s "
                    f"ORDER BY id", [plat.pk, org.pk])
        # earn entries in 2030: member n earns (n * 37 % 2,600) points in all, in `entries` parts
        # (written account by account, as a shop's history sits in the (account, occurred_at) index)
        cur.execute(
            f"INSERT INTO {E} (organization_id, account_id, kind, sign, amount, debt_delta, source_type, source_id, "
            f"actor_label, reason, explanation, occurred_at, recorded_at) "
            f"SELECT a.organization_id, a.id, 'earn', 1, GREATEST(1, (a.id * 37 %% 2600) / %s), 0, 'bench', "
            f"CAST(k AS TEXT), 'bench', '', '{{}}', "
            f"TIMESTAMPTZ '2030-01-15 10:00+07' + make_interval(days => k * 300 / %s), now() "
            f"FROM {A} a CROSS JOIN generate_series(1, %s) k WHERE a.organization_id = %s ORDER BY a.id, k",
            [entries, entries, entries, org.pk])
        # one in eight members returned their last earning in part (a reversal names the entry)
        cur.execute(
            f"INSERT INTO {E} (organization_id, account_id, kind, sign, amount, debt_delta, source_type, source_id, "
            f"actor_label, reason, explanation, occurred_at, recorded_at, reverses_id) "
            f"SELECT e.organization_id, e.account_id, 'reverse', -1, GREATEST(1, e.amount / 2), 0, 'bench', '', "
            f"'bench', '', '{{}}', e.occurred_at + interval '1 day', now(), e.id FROM {E} e "
            f"WHERE e.organization_id = %s AND e.kind = 'earn' AND e.source_id = %s AND e.account_id %% 8 = 0",
            [org.pk, str(entries)])
        cur.execute(f"UPDATE {A} a SET lifetime_earned = s.pts, spendable = s.pts FROM (SELECT account_id, "
                    f"SUM(amount * sign) pts FROM {E} WHERE organization_id = %s GROUP BY account_id) s "
                    f"WHERE s.account_id = a.id", [org.pk])
        if fast:
            cur.execute("SET LOCAL session_replication_role = DEFAULT")
            _check_keys(cur, org.pk, [(M, "member_type_id", MemberType._meta.db_table), (A, "member_id", M),
                                      (S, "member_id", M), (S, "tier_id", Tier._meta.db_table),
                                      (E, "account_id", A), (E, "reverses_id", E)])
    with connection.cursor() as cur:
        for table in (M, A, E, S, C):
            cur.execute(f"VACUUM ANALYZE {table}")
    return {"org": org, "build_s": round(time.monotonic() - t0, 1),
            "entries": Entry.objects.filter(organization=org).count(), "kept": False, "keys_checked_once": fast,
            "delete_s": round(deleted_s, 1)}


def _reference(org_id: int) -> tuple[float, int]:
    """One statement: the window's sums net of reversals, the tier reached, the states that drop
    updated, their history rows inserted; rolled back."""
    from django.db import connection, transaction

    from sasom.ledger.models import Entry, PointAccount
    from sasom.tiers.models import MemberTier, Tier, TierChange

    E, A, S, T, C = (m._meta.db_table for m in (Entry, PointAccount, MemberTier, Tier, TierChange))
    sql = f"""
    WITH sums AS (
        SELECT a.member_id, SUM(e.amount * e.sign) AS pts FROM {E} e
        JOIN {A} a ON a.id = e.account_id LEFT JOIN {E} r ON r.id = e.reverses_id
        WHERE e.organization_id = %(org)s AND (
            (e.kind = 'earn' AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s)
            OR (e.sign = -1 AND r.kind = 'earn' AND r.occurred_at >= %(start)s AND r.occurred_at < %(end)s))
        GROUP BY a.member_id),
    target AS (
        SELECT s.id, s.member_id, s.tier_id AS old_id, COALESCE(x.pts, 0) AS pts,
               (SELECT t.id FROM {T} t WHERE t.organization_id = %(org)s AND t.threshold <= COALESCE(x.pts, 0)
                ORDER BY t.threshold DESC LIMIT 1) AS new_id
        FROM {S} s LEFT JOIN sums x ON x.member_id = s.member_id
        WHERE s.organization_id = %(org)s AND s.tier_id IS NOT NULL),
    moved AS (
        UPDATE {S} s SET tier_id = t.new_id, reached_on = %(on)s, expires_on = NULL, updated_at = now()
        FROM target t WHERE s.id = t.id AND t.new_id IS DISTINCT FROM t.old_id
        RETURNING s.member_id, t.old_id, t.new_id, t.pts)
    INSERT INTO {C} (organization_id, member_id, from_code, from_name, to_code, to_name, reason, detail, measure,
                     window_from, window_to, effective_on, changed_at, run_key, note, actor_label)
    SELECT %(org)s, m.member_id, o.code, o.name, COALESCE(n.code, ''), COALESCE(n.name, ''), 'downgrade',
           'cutoff:yearly', m.pts, %(start)s, %(end)s, %(on)s, now(), 'reference', '', 'bench'
    FROM moved m JOIN {T} o ON o.id = m.old_id LEFT JOIN {T} n ON n.id = m.new_id
    """
    params = {"org": org_id, "start": dt.datetime(2030, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))),
              "end": dt.datetime(2031, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))), "on": CUTOFF + dt.timedelta(1)}
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.rowcount
        seconds = time.monotonic() - t0
        transaction.set_rollback(True)
    return seconds, rows


def step_tiers_cutoff(members: int, entries: int, keep: bool = False, chunk: int | None = None) -> dict[str, Any]:
    from django.db import connection

    from sasom.ledger.services import tier_cutoff
    from sasom.ledger.services.tiering import tiers_cutoff_run
    from sasom.tiers.models import MemberTier, TierChange

    if connection.vendor != "postgresql":
        return {"skipped": "PostgreSQL only (set-based data build)"}
    if chunk:
        tier_cutoff.CHUNK = chunk
    built = _build(members, entries, keep)
    org = built.pop("org")
    reference_s, reference_moved = _reference(org.pk)
    rss_before = _rss_mb()
    t0 = time.monotonic()
    counts = tiers_cutoff_run(organization_id=org.pk, on_date=CUTOFF)
    job_s = time.monotonic() - t0
    rss_after = _rss_mb()
    t0 = time.monotonic()
    again = tiers_cutoff_run(organization_id=org.pk, on_date=CUTOFF)
    rerun_s = time.monotonic() - t0
    by_tier: dict[str, int] = {}
    for code in MemberTier.objects.filter(organization=org).values_list("tier__code", flat=True):
        by_tier[code or "-"] = by_tier.get(code or "-", 0) + 1
    return {
        "members": members, "entries": built["entries"], "build_s": built["build_s"], "kept": built["kept"], "delete_s": built.get("delete_s"),
        "keys_checked_once": built.get("keys_checked_once"), "chunk": tier_cutoff.CHUNK,
        "load_avg": [round(x, 1) for x in os.getloadavg()],
        "reference_s": round(reference_s, 2), "reference_moved": reference_moved,
        "job_s": round(job_s, 2), "checked": counts["checked"], "moved": counts["moved"],
        "ratio": round(reference_s / job_s, 3) if job_s else None,
        "members_per_s": round(members / job_s) if job_s else None,
        "rss_mb_before": round(rss_before), "rss_mb_after": round(rss_after),
        "rerun_s": round(rerun_s, 3), "rerun_moved": again["moved"],
        "history_rows": TierChange.objects.filter(organization=org).count(), "tiers_after": by_tier,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.tiers_cutoff")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5, help="earn entries per member in the window")
    parser.add_argument("--keep", action="store_true", help="reuse a build of the same size (its cut-off undone)")
    parser.add_argument("--chunk", type=int, default=None, help="tier states per transaction (default: the job's)")
    args = parser.parse_args(argv)
    import django

    django.setup()
    result = step_tiers_cutoff(args.members, args.entries, args.keep, args.chunk)
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
