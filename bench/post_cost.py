"""The posting call's own PostgreSQL CPU on recorded plans (issue 19, B1's PostgreSQL CPU; the
numbers are in docs/performance.md).

One connection calls the posting function with B1's recorded plans (``bench_plans``, made by
``python -m bench.tasks plans``), one call after the other, and the backend's own CPU is read from
``/proc`` around each batch of calls (user + system time of that one process: no other client's
work is in it). Each plan is sent as B1 sends it: its JSON text (made again from the stored
``jsonb`` with the serializer's settings of its wire format) with a fresh receipt, as a parameter
of a prepared statement. Variants, alternated in rounds so that a change of the machine's load
falls on all of them:

* ``call``: ``EXECUTE`` of ``SELECT * FROM <function>($1)`` with the plan quoted into the
  statement's text (psycopg's client-side binding: what ``core.sql.prepared_rows`` does);
* ``call-bound``: the same statement with the plan sent as a bound parameter (protocol ``Bind``);
* ``parse``: ``EXECUTE`` of ``SELECT $1 IS NULL`` with the same plan (the text's way in: the
  statement's parse and the ``jsonb`` input function);
* ``parse-json``: the same as ``json`` (validated, not built: what a ``json`` argument would cost
  on the way in);
* ``noop``: ``EXECUTE`` of ``SELECT 1`` (a round trip's floor).

``--explain N`` runs N more calls with ``auto_explain`` logging every statement inside the
function (durations only: ``log_analyze`` on, per-node timing off) and sums them per statement
from the server's log (``--log``).

    python -m bench.post_cost --pg-url URL [--table bench_plans] [--calls 400] [--rounds 3]
        [--explain 200 --log FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from bench.load import CLK_TCK, _stat


def _cpu(pid: int) -> float:
    f = _stat(pid)
    return (int(f[11]) + int(f[12])) / CLK_TCK


def _texts(conn: Any, table: str, path: str) -> tuple[list[Any], Any]:
    """The stored plans as Python values, and the function that makes one's text with a receipt."""
    plans = [json.loads(r[0]) for r in conn.execute(f"SELECT plan::text FROM {table} ORDER BY i")]
    if isinstance(plans[0], list):  # wire format 2: UTF-8 text, the receipt at its position
        at = int(path.strip("{}"))
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

        def text(plan: list[Any], receipt: str) -> str:
            plan = list(plan)
            plan[at] = receipt
            return dumps(plan)
    else:  # format 1: json.dumps's defaults (\\u escapes), the receipt under its key

        def text(plan: dict[str, Any], receipt: str) -> str:  # type: ignore[misc]
            return json.dumps({**plan, "receipt_id": receipt}, separators=(",", ":"))

    return plans, text


def main(argv: list[str] | None = None) -> None:
    import psycopg

    parser = argparse.ArgumentParser(prog="bench.post_cost")
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--explain", type=int, default=0)
    parser.add_argument("--log", default="")
    parser.add_argument(
        "--table", default="bench_plans", help="the recorded plans (bench_plans' shape)"
    )
    parser.add_argument(
        "--function", default="", help="the posting function (default: bench_call's)"
    )
    parser.add_argument(
        "--receipt-path", default="", help="the receipt's path in a plan (default: bench_call's)"
    )
    parser.add_argument("--variants", default="call,call-bound,parse,parse-json,noop")
    args = parser.parse_args(argv)

    conn = psycopg.connect(args.pg_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    conn.execute("SET jit = off")
    function, path = args.function, args.receipt_path
    if not function:
        function, path = conn.execute("SELECT function, receipt_path FROM bench_call").fetchone()
    plans, text = _texts(conn, args.table, path)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    bound = psycopg.Cursor(conn)
    conn.execute(f"PREPARE pc_call (jsonb) AS SELECT * FROM {function}($1)")
    conn.execute("PREPARE pc_parse (jsonb) AS SELECT $1 IS NULL")
    conn.execute("PREPARE pc_parse_json (json) AS SELECT $1 IS NULL")
    conn.execute("PREPARE pc_noop AS SELECT 1")
    tag = f"PC{int(time.time()) % 100000}-"
    serial = itertools.count()
    statuses: dict[str, int] = {}

    def run(variant: str, n: int) -> float:
        items = [text(plans[k % len(plans)], f"{tag}{next(serial)}") for k in range(n)]
        before = _cpu(pid)
        for item in items:
            if variant == "call":
                status = conn.execute("EXECUTE pc_call (%s)", [item]).fetchone()[0]
                statuses[status] = statuses.get(status, 0) + 1
            elif variant == "call-bound":
                status = bound.execute(
                    f"SELECT * FROM {function}(%s::jsonb)", [item], prepare=True
                ).fetchone()[0]
                statuses[status] = statuses.get(status, 0) + 1
            elif variant == "parse":
                conn.execute("EXECUTE pc_parse (%s)", [item]).fetchone()
            elif variant == "parse-json":
                conn.execute("EXECUTE pc_parse_json (%s)", [item]).fetchone()
            else:
                conn.execute("EXECUTE pc_noop").fetchone()
        return 1000 * (_cpu(pid) - before) / n

    variants = args.variants.split(",")
    for v in variants:  # warm: plans cached, pages read
        run(v, min(50, args.calls))
    out: dict[str, Any] = {v: [] for v in variants}
    for r in range(args.rounds):
        order = variants if r % 2 == 0 else list(reversed(variants))
        for v in order:
            out[v].append(round(run(v, args.calls), 4))
    result: dict[str, Any] = {
        "function": function,
        "plans": len(plans),
        "calls_per_round": args.calls,
        "plan_bytes": round(sum(len(text(p, "R")) for p in plans) / len(plans)),
        "ms_per_call": out,
        "median": {v: sorted(xs)[len(xs) // 2] for v, xs in out.items()},
        "statuses": statuses,
    }
    if args.explain:
        result["statements"] = _explained(conn, args, plans, text, tag, serial)
    sys.stdout.write(json.dumps(result, indent=1) + "\n")


def _explained(
    conn: Any, args: Any, plans: list[Any], text: Any, tag: str, serial: Any
) -> dict[str, Any]:
    """Per statement inside the function: its summed duration (ms per call) from auto_explain."""
    log = Path(args.log)
    start = log.stat().st_size
    conn.execute("LOAD 'auto_explain'")
    for setting in (
        "log_min_duration = 0",
        "log_nested_statements = on",
        "log_analyze = on",
        "log_timing = off",
        "log_buffers = off",
        "log_format = text",
    ):
        conn.execute(f"SET auto_explain.{setting}")
    t0 = time.perf_counter()
    for _ in range(args.explain):
        conn.execute(
            "EXECUTE pc_call (%s)",
            [text(plans[next(serial) % len(plans)], f"{tag}X{next(serial)}")],
        )
    wall = (time.perf_counter() - t0) * 1000 / args.explain
    conn.execute("SET auto_explain.log_min_duration = -1")
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(start)
        body = f.read()
    sums: dict[str, float] = {}
    for m in re.finditer(r"duration: ([\d.]+) ms\s+plan:\s*\n\s*Query Text: (.*)", body):
        first = " ".join(m.group(2).split())[:70]
        sums[first] = sums.get(first, 0.0) + float(m.group(1))
    per = {k: round(v / args.explain, 4) for k, v in sorted(sums.items(), key=lambda kv: -kv[1])}
    return {"wall_ms_per_call_logged": round(wall, 3), "ms_per_call": per}


if __name__ == "__main__":
    main()
