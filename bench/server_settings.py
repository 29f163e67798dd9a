"""B1's load against the same server with and without ``sasom.gunicorn_conf`` (issue 19, B1's tail;
the numbers are in docs/performance.md, "The collector's full passes").

Two gunicorn servers (2 workers x 4 threads, as ``sasom serve``), one started without the settings
module (``plain``) and one with it (``settled``: each worker freezes its heap once the application is
loaded, ``sasom.core.heap``), each driven by B1's load generator (8 keep-alive clients, 10-line
baskets, after 1.5 s of warm-up) for ``--seconds``, alternated for ``--rounds`` so that a change of the
machine's load falls on both. Prints one JSON line a side and round: sales/s, p50, p90, p99, p99.9,
the slowest sale, the server's CPU and PostgreSQL's CPU per sale, the load average.

    python -m bench.server_settings --pg-url URL --pg-datadir DIR [--rounds 3] [--seconds 30]

On a cluster a bench run left its data on (``bench/run.py --only B1`` and the like), or a fresh
durable one: the step ``setup`` (10,000 members, 50 rules) and ``tiers`` (no ladder, as B1) run first
when ``BENCH_SETUP`` is not given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Server, measured_load  # noqa: E402

SETTINGS = "python:sasom.gunicorn_conf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--pg-datadir", required=True, help="the cluster's folder (its postmaster.pid is read)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--http-port", type=int, default=18520)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SASOM_DATA_DIR")}
    env.update(PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}", SASOM_DEBUG="0", PYTHONDONTWRITEBYTECODE="1",
               DJANGO_SETTINGS_MODULE="sasom.settings", DATABASE_URL=args.pg_url)
    if "BENCH_SETUP" in os.environ:
        setup = json.loads(os.environ["BENCH_SETUP"])
    else:
        out = subprocess.run([sys.executable, "-m", "bench.tasks", "setup", "--members", "10000", "--rules", "50"],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
        setup = json.loads(out.strip().splitlines()[-1])
        subprocess.run([sys.executable, "-m", "bench.tasks", "tiers"], cwd=ROOT, env=env, capture_output=True, check=True)
    postmaster = int((Path(args.pg_datadir) / "data" / "postmaster.pid").read_text().split()[0])
    work = Path(tempfile.mkdtemp(prefix="sasom-bench-settings-"))
    port = args.http_port
    for round_no in range(args.rounds):
        for side in ("plain", "settled"):
            port += 1
            with Server(port=port, workers=2, threads=4, env=env, log=work / "gunicorn.log",
                        config=SETTINGS if side == "settled" else None) as srv:
                m = measured_load(srv, setup=setup, clients=8, seconds=args.seconds, postmaster=postmaster)
            res = m.result
            print(json.dumps({
                "round": round_no + 1, "side": side, "sales_per_s": round(res.rate, 1), "p50_ms": round(res.pct(50), 1),
                "p90_ms": round(res.pct(90), 1), "p99_ms": round(res.pct(99), 1), "p999_ms": round(res.pct(99.9), 1),
                "slowest_ms": round(max(res.latencies_ms, default=0.0), 1), "errors": res.errors,
                "app_cpu_ms_per_sale": round(m.app_cpu_ms, 2), "pg_cpu_ms_per_sale": round(m.pg_cpu_ms or 0.0, 2),
                "load_average": round(m.load_average, 2)}), flush=True)


if __name__ == "__main__":
    main()
