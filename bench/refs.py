"""B1's references in the same run (docs/performance.md, issue 19):

(a) the database's own limit for this schema: the postings B1 makes, recorded as the plans the
    checkout sends to ``sasom_sale_post(plan jsonb)`` (``step_plans``, one per member, members
    that already have an account so no plan goes stale), sent straight to PostgreSQL by pgbench
    (``-M prepared``, 8 clients, a custom script that picks a plan at random and gives it a fresh
    receipt number), with the cluster's CPU per call measured as B1's per sale;
(a') the same, with the reads each recorded sale made before its call (the member with its
    account, the basket's catalog prices: every prepared statement, with the parameters it was
    given, in ``bench_plans``) sent first by the same pgbench script: every statement B1 makes,
    without Python between them. B1 against (a') is "the way B1 makes them", (a') against (a)
    "the statements B1 makes";
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
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from bench.load import pg_cpu_settled

FLOOR_PATH = "/api/v1/bench/floor"
PLANS_TABLE = "bench_plans"
READS_TABLE = "bench_reads"  # the statements a recorded sale ran before its call, in order
CALL_TABLE = "bench_call"  # the posting function the recorded plans were made for, and the receipt's path
SCRIPT = (
    "\\set i random(1, {count})\n"
    "SELECT status FROM {function}((SELECT jsonb_set(plan, '{receipt_path}', "
    "to_jsonb('PB' || nextval('bench_pb_seq'))) FROM " + PLANS_TABLE + " WHERE i = :i));\n"
)


def _call_of(body: str, plan: str) -> tuple[str, str, bool | None]:
    """(the posting function, the receipt's path in its plan, expect_first) of a recorded call: a
    plan of wire format 2 is an array (``ledger.plan_wire``), format 1 an object."""
    function = re.search(r"FROM\s+(\w+)\(", body)
    data = json.loads(plan)
    if isinstance(data, list):
        from sasom.ledger.plan_wire import EXPECT_FIRST_AT, RECEIPT_AT

        return (function.group(1) if function else "sasom_sale_post2"), f"{{{RECEIPT_AT}}}", data[EXPECT_FIRST_AT]
    return (function.group(1) if function else "sasom_sale_post"), "{receipt_id}", data.get("expect_first")


def _recording(calls: list[tuple[str, str, str, list[Any]]]) -> Callable[[], None]:
    """Record every prepared statement (``core.sql.prepared_rows``, wherever it was imported) as
    (name, types, body, params); returns the function that puts the original back."""
    from sasom.core import sql

    original = sql.prepared_rows

    def recording(name: str, types: str, body: str, params: list[Any]) -> list[tuple[Any, ...]]:
        calls.append((name, types, body, list(params)))
        return original(name, types, body, params)

    holders = [m for m in list(sys.modules.values()) if getattr(m, "__dict__", {}).get("prepared_rows") is original]
    for module in holders:
        module.prepared_rows = recording

    def restore() -> None:
        for module in holders:
            module.prepared_rows = original

    return restore


def step_plans(count: int) -> dict[str, Any]:
    """Record up to ``count`` real plans (one per member of B1's sample): each sale is posted
    through the API in-process, and the ``jsonb`` argument the fast path hands to
    ``sasom_sale_post`` is kept when the member already had an account with a sale (a plan made
    for a first purchase would answer ``stale`` on its second call), with the statements the sale
    ran before the call and their parameters (reference (a')). Stored in ``bench_plans``: ``plan``
    and one column ``r<statement>_<parameter>`` of the statement's own type per parameter."""
    import datetime as dt
    from collections import Counter

    from django.db import connection
    from django.test import Client

    from bench.workload import basket_lines

    setup = json.loads(os.environ["BENCH_SETUP"])
    kept: list[tuple[str, list[tuple[str, str, str, list[Any]]]]] = []
    calls: list[tuple[str, str, str, list[Any]]] = []
    restore = _recording(calls)
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(19)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    posted = 0
    function, receipt_path = "sasom_sale_post2", "{3}"
    try:
        for attempt in range(2):  # a member without an account gets one on the first pass
            for no, phone in enumerate(setup["phones"]):
                if len(kept) >= count:
                    break
                calls.clear()
                body = {"receipt_id": f"PLAN-{os.getpid()}-{attempt}-{no}", "occurred_at": now,
                        "member": {"phone": phone}, "lines": basket_lines(rng)}
                response = client.post("/api/v1/sales", json.dumps(body), content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Bearer {setup['keys'][no % len(setup['keys'])]}")
                assert response.status_code == 201, response.content[:300]
                posted += 1
                posts = [i for i, c in enumerate(calls) if c[0].startswith("sasom_sale_post")]
                if len(posts) == 1:
                    call = calls[posts[0]]
                    function, receipt_path, first = _call_of(call[2], call[3][0])
                    if first is False:
                        kept.append((call[3][0], calls[:posts[0]]))
            if len(kept) >= count:
                break
    finally:
        restore()
    # the statements most sales ran before their call, in order (sales that ran others are left out)
    shape, _n = Counter(tuple(c[0] for c in reads) for _plan, reads in kept).most_common(1)[0]
    kept = [(plan, reads) for plan, reads in kept if tuple(c[0] for c in reads) == shape]
    reads = kept[0][1] if kept else []
    columns = [(f"r{j}_{k}", t.strip()) for j, (_name, types, _body, _p) in enumerate(reads)
               for k, t in enumerate(types.split(","), start=1)]
    members = {_member_of(p) for p, _r in kept}
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {PLANS_TABLE}")
        cur.execute(f"CREATE TABLE {PLANS_TABLE} (i integer PRIMARY KEY, plan jsonb NOT NULL"
                    + "".join(f", {name} {t}" for name, t in columns) + ")")
        cur.executemany(f"INSERT INTO {PLANS_TABLE} VALUES (%s, %s::jsonb" + ", %s" * len(columns) + ")",
                        [(i, plan, *(v for _n, _t, _b, params in r for v in params))
                         for i, (plan, r) in enumerate(kept, start=1)])
        # pgbench's receipts continue above any an earlier run stored on this cluster: a receipt
        # already stored is a replay, cheaper than a posting, and would flatter the reference
        cur.execute("SELECT COALESCE(max(substr(receipt_id, 3)::bigint), 0) FROM ledger_sale "
                    "WHERE receipt_id ~ '^PB[0-9]+$'")
        start = cur.fetchone()[0] + 1
        cur.execute("DROP SEQUENCE IF EXISTS bench_pb_seq")
        cur.execute(f"CREATE SEQUENCE bench_pb_seq START WITH {int(start)}")
        cur.execute(f"ANALYZE {PLANS_TABLE}")
        cur.execute(f"DROP TABLE IF EXISTS {CALL_TABLE}")
        cur.execute(f"CREATE TABLE {CALL_TABLE} (function text, receipt_path text)")
        cur.execute(f"INSERT INTO {CALL_TABLE} VALUES (%s, %s)", [function, receipt_path])
        cur.execute(f"DROP TABLE IF EXISTS {READS_TABLE}")
        cur.execute(f"CREATE TABLE {READS_TABLE} (j integer PRIMARY KEY, name text, types text, body text)")
        cur.executemany(f"INSERT INTO {READS_TABLE} VALUES (%s, %s, %s, %s)",
                        [(j, name, types, body) for j, (name, types, body, _p) in enumerate(reads)])
    return {"plans": len(kept), "members": len(members), "posted_to_record": posted,
            "plan_bytes": round(sum(len(p) for p, _r in kept) / max(1, len(kept))),
            "reads": [name for name, *_rest in reads]}


def _member_of(plan: str) -> int:
    data = json.loads(plan)
    if isinstance(data, list):
        from sasom.ledger.plan_wire import MEMBER_AT

        return int(data[MEMBER_AT])
    return int(data["member"])


def reads_script(reads: list[list[str]], nullable: Collection[str] = ()) -> str:
    """pgbench's lines for the recorded reads, each statement as the sale prepared it: the recorded
    sale's parameters fetched from its row of ``bench_plans`` into pgbench variables (``\\gset``),
    then the statement's own body with ``$k`` as that variable cast to the statement's type. Under
    ``-M prepared`` pgbench sends the variables as the parameters of one prepared statement, so
    PostgreSQL chooses between custom and generic plans as it does for the app's. A parameter
    some recorded sale gave as NULL (``nullable``) arrives as an empty string and is turned back
    into NULL (``NULLIF``)."""
    out = []
    for j, (_name, types, body) in enumerate(reads):
        kinds = [t.strip() for t in types.split(",")]
        names = [f"r{j}_{k}" for k in range(1, len(kinds) + 1)]
        out.append(f"SELECT {', '.join(names)} FROM {PLANS_TABLE} WHERE i = :i \\gset\n")
        for k in range(len(kinds), 0, -1):  # $10 before $1
            name, kind = names[k - 1], kinds[k - 1]
            value = f"NULLIF(:{name}, '')::{kind}" if name in nullable else f":{name}::{kind}"
            body = re.sub(rf"\${k}(?!\d)", lambda _m, v=value: f"({v})", body)
        out.append(" ".join(body.split()) + ";\n")
    return "".join(out)


def pgbench_plans(bench: Any, count: int) -> dict[str, Any]:
    """Reference (a): pgbench calling the posting function with the recorded plans; then (a'):
    the same with the recorded sale's reads before each call."""
    import psycopg

    with psycopg.connect(bench.args.pg_url, autocommit=True) as conn:
        reads = [list(r) for r in conn.execute(f"SELECT name, types, body FROM {READS_TABLE} ORDER BY j")]
        columns = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name ~ '^r[0-9]+_'",
            [PLANS_TABLE])]
        counted = conn.execute(f"SELECT {', '.join(f'count(*) - count({c})' for c in columns) or '0'}"
                               f" FROM {PLANS_TABLE}").fetchone() if columns else ()
        nullable = {c for c, n in zip(columns, counted, strict=True) if n}
        function, receipt_path = conn.execute(f"SELECT function, receipt_path FROM {CALL_TABLE}").fetchone()
    text = SCRIPT.format(count=count, function=function, receipt_path=receipt_path)
    script = bench.work / "sale_post.pgbench"
    script.write_text(text)
    out = _pgbench_script(bench, script)
    with_reads = bench.work / "sale_reads_post.pgbench"
    head, call = text.split("\n", 1)
    with_reads.write_text(head + "\n" + reads_script(reads, nullable) + call)
    out["with_reads"] = {**_pgbench_script(bench, with_reads), "statements": [r[0] for r in reads]}
    return {**out, "plans": count}


def _pgbench_script(bench: Any, script: Path) -> dict[str, Any]:
    import psycopg

    seconds = str(int(max(2, bench.size["b1_seconds"])))
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
    return {"tps": tps, "calls": calls, "created": created,
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
    # the app's sessions run with JIT off (core.db_session): the references run as they do
    env = {**os.environ, "PGOPTIONS": "-c jit=off"}
    proc = subprocess.run(base + argv, capture_output=True, text=True, env=env)
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
    reads = ref.get("with_reads")
    if reads:  # the gap split: the statements B1 makes (a') / (a), and the way it makes them B1 / (a')
        both = reads["pg_cpu_ms_per_call"]
        bench.row("B1", "PostgreSQL", f"split: PostgreSQL CPU per sale / per pgbench transaction of the same "
                  f"statements with recorded parameters ({' + '.join(reads['statements'])} + the posting call, "
                  f"no Python between them; {reads['tps']:.0f} tps)",
                  f"{b1['pg_cpu_ms_per_sale']:.2f} ms / {both:.2f} ms = {b1['pg_cpu_ms_per_sale'] / both:.2f}x "
                  "(the way B1 makes them)", "(context)", None)
        bench.row("B1", "PostgreSQL", "split: per pgbench transaction of those statements / per posting-function call",
                  f"{both:.2f} ms / {ref['pg_cpu_ms_per_call']:.2f} ms = {both / ref['pg_cpu_ms_per_call']:.2f}x "
                  "(the statements B1 makes)", "(context)", None)
    bench.row("B1", "PostgreSQL", "app server CPU per sale / per request to the framework's floor "
              "(authenticated POST, same middleware and bodies, gunicorn 2 workers x 4 threads)",
              f"{b1['app_cpu_ms_per_sale']:.2f} ms / {floor['app_cpu_ms_per_sale']:.2f} ms = {app_x:.2f}x "
              f"(floor {floor['rate']:.0f} req/s)", "<= 2x", app_x <= 2)
    bench.row("B1", "PostgreSQL", "database round trips per sale (in-process count): sampled members / "
              "again, with their account", f"{rt['round_trips']:.1f} / {rt['round_trips_with_account']:.1f}",
              "<= 3", max(rt["round_trips"], rt["round_trips_with_account"]) <= 3)
    bench.row("B1", "PostgreSQL", "latency p50 / p99", f"{b1['p50']:.1f} / {b1['p99']:.1f} ms", "p99 <= 50 ms",
              b1["p99"] <= 50)
    bench.row("B1", "PostgreSQL", "the floor's latency p50 / p99 (the same clients and server, no sale: the "
              "harness's and the scheduling's own tail)", f"{floor['p50']:.1f} / {floor['p99']:.1f} ms", "(context)", None)
    errors = b1["errors"] + floor["errors"] + (ref["calls"] - ref["created"])
    if reads:
        errors += reads["calls"] - reads["created"]
    bench.row("B1", "PostgreSQL", "errors: sales API / floor / posting calls that stored no sale",
              f"{b1['errors']} of {b1['sales'] + b1['errors']} / {floor['errors']} / {ref['calls'] - ref['created']} "
              f"of {ref['calls']}" + (f" (with the reads: {reads['calls'] - reads['created']} of {reads['calls']})"
                                       if reads else ""), "0", errors == 0)
    bench.row("B1", "PostgreSQL", "context: pgbench tpcb-like (4 rows a transaction), same cluster",
              f"{tpcb['tps']:.0f} tps, {tpcb['pg_cpu_ms_per_txn']:.2f} ms PostgreSQL CPU per transaction; "
              f"B1 = {b1['rate'] / tpcb['tps']:.2f}x", "(context)", None)
