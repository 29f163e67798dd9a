"""B1's references in the same run (docs/performance.md, issue 19):

(a) the database's own limit for this schema: the postings B1 makes, recorded as the plans the
    checkout sends to ``sasom_sale_post(plan jsonb)`` (``step_plans``, one per member, members
    that already have an account so no plan goes stale), sent straight to PostgreSQL by pgbench
    (``-M prepared``, 8 clients, a custom script that picks a plan at random and gives it a fresh
    receipt number), with the cluster's CPU per call measured as B1's per sale;
(b) the framework's floor: ``POST /api/v1/bench/floor`` (``integrations/api_floor.py``, mounted
    only with ``SASOM_BENCH_FLOOR``) driven by the same load generator with the same bodies
    through the same gunicorn settings (``Bench.load(..., path=FLOOR_PATH)``);
and tpcb, pgbench's built-in transaction, as context.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.load import pg_cpu_settled

FLOOR_PATH = "/api/v1/bench/floor"
PLANS_TABLE = "bench_plans"
SCRIPT = (
    "\\set i random(1, {count})\n"
    "SELECT status FROM sasom_sale_post((SELECT jsonb_set(plan, '{{receipt_id}}', "
    "to_jsonb('PB' || nextval('bench_pb_seq'))) FROM " + PLANS_TABLE + " WHERE i = :i));\n"
)


def step_plans(count: int) -> dict[str, Any]:
    """Record up to ``count`` real plans (one per member of B1's sample): each sale is posted
    through the API in-process, and the ``jsonb`` argument the fast path hands to
    ``sasom_sale_post`` is kept when the member already had an account with a sale (a plan made
    for a first purchase would answer ``stale`` on its second call). Stored in ``bench_plans``."""
    import datetime as dt

    from django.db import connection
    from django.test import Client

    from bench.workload import basket_lines
    from sasom.ledger.services import fastpost

    setup = json.loads(os.environ["BENCH_SETUP"])
    plans: list[str] = []
    original = fastpost.prepared_row

    def recording(name: str, types: str, sql: str, params: list[Any]):
        if name.startswith("sasom_sale_post") and json.loads(params[0]).get("expect_first") is False:
            plans.append(params[0])
        return original(name, types, sql, params)

    fastpost.prepared_row = recording
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(19)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    posted = 0
    try:
        for attempt in range(2):  # a member without an account gets one on the first pass
            for no, phone in enumerate(setup["phones"]):
                if len(plans) >= count:
                    break
                kept = len(plans)
                body = {"receipt_id": f"PLAN-{os.getpid()}-{attempt}-{no}", "occurred_at": now,
                        "member": {"phone": phone}, "lines": basket_lines(rng)}
                response = client.post("/api/v1/sales", json.dumps(body), content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Bearer {setup['keys'][no % len(setup['keys'])]}")
                assert response.status_code == 201, response.content[:300]
                posted += 1
                if len(plans) > kept + 1:
                    del plans[kept + 1:]
            if len(plans) >= count:
                break
    finally:
        fastpost.prepared_row = original
    members = {json.loads(p)["member"] for p in plans}
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {PLANS_TABLE}")
        cur.execute(f"CREATE TABLE {PLANS_TABLE} (i integer PRIMARY KEY, plan jsonb NOT NULL)")
        cur.executemany(f"INSERT INTO {PLANS_TABLE} VALUES (%s, %s::jsonb)", list(enumerate(plans, start=1)))
        cur.execute("DROP SEQUENCE IF EXISTS bench_pb_seq")
        cur.execute("CREATE SEQUENCE bench_pb_seq")
        cur.execute(f"ANALYZE {PLANS_TABLE}")
    return {"plans": len(plans), "members": len(members), "posted_to_record": posted,
            "plan_bytes": round(sum(len(p) for p in plans) / max(1, len(plans)))}


def pgbench_plans(bench: Any, count: int) -> dict[str, Any]:
    """Reference (a): pgbench calling the posting function with the recorded plans."""
    import psycopg

    seconds = str(int(max(2, bench.size["b1_seconds"])))
    script = bench.work / "sale_post.pgbench"
    script.write_text(SCRIPT.format(count=count))
    with psycopg.connect(bench.args.pg_url, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM ledger_sale WHERE receipt_id LIKE 'PB%%'").fetchone()[0]
    cpu0 = pg_cpu_settled(bench.postmaster)
    proc = _pgbench(bench, ["-M", "prepared", "-n", "-c", "8", "-j", "2", "-T", seconds, "-f", str(script), "sasom"])
    cpu1 = pg_cpu_settled(bench.postmaster)
    tps = float(re.search(r"tps = ([\d.]+)", proc.stdout).group(1))
    calls = int(re.search(r"actually processed: (\d+)", proc.stdout).group(1))
    lat = re.search(r"latency average = ([\d.]+) ms", proc.stdout)
    with psycopg.connect(bench.args.pg_url, autocommit=True) as conn:
        created = conn.execute("SELECT count(*) FROM ledger_sale WHERE receipt_id LIKE 'PB%%'").fetchone()[0] - before
    return {"tps": tps, "calls": calls, "created": created, "plans": count,
            "latency_avg_ms": float(lat.group(1)) if lat else None,
            "pg_cpu_ms_per_call": 1000 * (cpu1 - cpu0) / max(1, calls)}


def pgbench_tpcb(bench: Any) -> dict[str, Any]:
    """Context: pgbench's built-in tpcb-like transaction (4 rows), on a database of its own."""
    import psycopg

    with psycopg.connect(bench.args.pg_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_pgbench")
        conn.execute("CREATE DATABASE bench_pgbench")
    _pgbench(bench, ["-i", "-q", "-s", str(bench.size["pgbench_scale"]), "bench_pgbench"])
    cpu0 = pg_cpu_settled(bench.postmaster)
    proc = _pgbench(bench, ["-M", "prepared", "-c", "8", "-j", "2", "-T", str(int(max(2, bench.size["b1_seconds"]))),
                            "bench_pgbench"])
    cpu1 = pg_cpu_settled(bench.postmaster)
    tps = float(re.search(r"tps = ([\d.]+)", proc.stdout).group(1))
    txns = int(re.search(r"actually processed: (\d+)", proc.stdout).group(1))
    with psycopg.connect(bench.args.pg_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE bench_pgbench")
    return {"tps": tps, "transactions": txns, "pg_cpu_ms_per_txn": 1000 * (cpu1 - cpu0) / max(1, txns)}


def _pgbench(bench: Any, argv: list[str]) -> subprocess.CompletedProcess:
    pgbench = str(Path(bench.args.pg_bindir) / "pgbench")
    base = [pgbench, "-h", "127.0.0.1", "-p", str(bench.args.pg_port), "-U", "sasom"]
    started = time.monotonic()
    proc = subprocess.run(base + argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed ({time.monotonic() - started:.0f} s): {proc.stderr[-2000:]}")
    return proc


def b1_rows(bench: Any, b1: dict, floor: dict, ref: dict, tpcb: dict, rt: dict) -> None:
    """B1's rows of the table: the sales API against references (a) and (b), tpcb as context."""
    s = bench.size
    rate_x = b1["rate"] / ref["tps"]
    pg_x = b1["pg_cpu_ms_per_sale"] / ref["pg_cpu_ms_per_call"]
    app_x = b1["app_cpu_ms_per_sale"] / floor["app_cpu_ms_per_sale"]
    bench.row("B1", "PostgreSQL", f"sales API ({s['members']:,} members, 50 rules, 8 clients {s['b1_seconds']} s) / "
              f"the same postings by pgbench (the posting function, {ref['plans']} recorded plans, 8 clients)",
              f"{b1['rate']:.0f} sales/s / {ref['tps']:.0f} calls/s = {rate_x:.2f}x", ">= 0.5x", rate_x >= 0.5)
    bench.row("B1", "PostgreSQL", "PostgreSQL CPU per sale / per posting-function call",
              f"{b1['pg_cpu_ms_per_sale']:.2f} ms / {ref['pg_cpu_ms_per_call']:.2f} ms = {pg_x:.2f}x", "<= 1.2x",
              pg_x <= 1.2)
    bench.row("B1", "PostgreSQL", "app server CPU per sale / per request to the framework's floor "
              "(authenticated POST, same middleware and bodies, gunicorn 2 workers x 4 threads)",
              f"{b1['app_cpu_ms_per_sale']:.2f} ms / {floor['app_cpu_ms_per_sale']:.2f} ms = {app_x:.2f}x "
              f"(floor {floor['rate']:.0f} req/s)", "<= 2x", app_x <= 2)
    bench.row("B1", "PostgreSQL", "database round trips per sale (in-process count): sampled members / "
              "again, with their account", f"{rt['round_trips']:.1f} / {rt['round_trips_with_account']:.1f}",
              "<= 3", max(rt["round_trips"], rt["round_trips_with_account"]) <= 3)
    bench.row("B1", "PostgreSQL", "latency p50 / p99", f"{b1['p50']:.1f} / {b1['p99']:.1f} ms", "p99 <= 50 ms",
              b1["p99"] <= 50)
    errors = b1["errors"] + floor["errors"] + (ref["calls"] - ref["created"])
    bench.row("B1", "PostgreSQL", "errors: sales API / floor / posting calls that stored no sale",
              f"{b1['errors']} of {b1['sales'] + b1['errors']} / {floor['errors']} / {ref['calls'] - ref['created']} "
              f"of {ref['calls']}", "0", errors == 0)
    bench.row("B1", "PostgreSQL", "context: pgbench tpcb-like (4 rows a transaction), same cluster",
              f"{tpcb['tps']:.0f} tps, {tpcb['pg_cpu_ms_per_txn']:.2f} ms PostgreSQL CPU per transaction; "
              f"B1 = {b1['rate'] / tpcb['tps']:.2f}x", "(context)", None)
