"""Profiles behind docs/performance.md's "Gaps" (pyinstrument, in-process, on the bench's data):

    SASOM_BENCH_FLOOR=1 DATABASE_URL=... BENCH_SETUP='<setup step JSON>' \\
        python -m bench.profiling sales|floor|batch [--count N] [--promoted] [--cpu [--pg-datadir DIR]]

``sales``: N sales posted through the whole API stack (Django's test client: the middleware,
django-ninja, the checkout, the fast path), as B1 posts them; ``floor``: N requests with the same
bodies to the framework's floor (``integrations/api_floor.py``); ``batch``: a day-end file of N
documents staged and posted (B3). ``--cpu``: no profiler, the CPU per item only (the
process's, and the cluster's with ``--pg-datadir``; a main / branch comparison alternates such
runs, main's code by its ``src`` first on ``PYTHONPATH``). ``--promoted``: B1+'s pricing first
(member discounts, 50 active promotions: ``bench.promo_load``), ended again after the run. Prints cProfile's top frames
(own time, then cumulative); ``--out`` keeps the stats. Named ``profiling`` so as not to shadow
the standard library's ``profile`` module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")


def _posts(path: str, count: int, tag: str) -> None:
    from django.test import Client

    from bench.workload import basket_lines

    setup = json.loads(os.environ["BENCH_SETUP"])
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(23)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for i in range(count):
        body = {"receipt_id": f"PROF-{os.getpid()}-{tag}-{i}", "occurred_at": now,
                "member": {"phone": setup["phones"][i % len(setup["phones"])]}, "lines": basket_lines(rng)}
        response = client.post(path, json.dumps(body), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {setup['keys'][0]}")
        assert response.status_code == 201, response.content[:300]


def _promotions_on() -> None:
    """B1+'s promotions on (``bench.promo_load.step_promotions``, which also serves a cluster
    profiled before: its promotions, with uses now, are made active again)."""
    from bench.promo_load import step_promotions

    step_promotions(True)


def _cpu(run: Callable[[], None], count: int, datadir: str) -> None:
    """``run`` without the profiler: this process's CPU per item and, given the cluster's folder,
    the cluster's (``bench.load.pg_cpu_seconds``), in ms."""
    import time
    from pathlib import Path

    from bench.load import pg_cpu_seconds

    postmaster = int((Path(datadir) / "data" / "postmaster.pid").read_text().split()[0]) if datadir else 0
    pg0 = pg_cpu_seconds(postmaster) if postmaster else 0.0
    app0 = time.process_time()
    run()
    app1 = time.process_time()
    pg1 = pg_cpu_seconds(postmaster) if postmaster else 0.0
    line = f"app {1000 * (app1 - app0) / count:.3f} ms per item"
    if postmaster:
        line += f", PostgreSQL {1000 * (pg1 - pg0) / count:.3f} ms per item"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.profiling")
    parser.add_argument("what", choices=["sales", "floor", "batch"])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--promoted", action="store_true", help="B1+'s member discounts and 50 promotions on")
    parser.add_argument("--out", default="", help="also save the cProfile stats here (pstats)")
    parser.add_argument("--cpu", action="store_true",
                        help="no profiler: print the process's CPU per item (and, with --pg-datadir, the cluster's)")
    parser.add_argument("--pg-datadir", default="", help="the cluster's folder (PGDATA_DIR of scripts/pg-throwaway.sh)")
    args = parser.parse_args()
    import django

    django.setup()
    import cProfile
    import io
    import pstats
    import time

    if args.promoted:
        _promotions_on()
    if args.what == "batch":
        from bench.batch_day import step_batch

        def run() -> None:
            step_batch(args.count, True)
    else:
        path = "/api/v1/sales" if args.what == "sales" else "/api/v1/bench/floor"
        _posts(path, 20, "warm")  # warm the caches (key, rules, prepared statements)

        def run() -> None:
            _posts(path, args.count, "run")
    if args.cpu:
        _cpu(run, args.count, args.pg_datadir)
        if args.promoted:
            from bench.promo_load import step_promotions

            step_promotions(False)
        return
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    run()
    profiler.disable()
    if args.promoted:
        from bench.promo_load import step_promotions

        step_promotions(False)
    if args.out:
        profiler.dump_stats(args.out)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
        sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
