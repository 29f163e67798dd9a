"""Run every benchmark of docs/performance.md and print (and, in full mode, record) the table.

    python bench/run.py --mode full|quick|smoke [--pg-url URL --pg-datadir DIR --pg-bindir DIR] [--write]

``scripts/bench.sh`` starts the durable PostgreSQL cluster and calls this; it is the one command.
Without ``--pg-url`` only SQLite is measured (the smoke mode of the test suite does that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Server, measured_load  # noqa: E402
from bench.refs import FLOOR_PATH, b1_rows, pgbench_plans, pgbench_tpcb  # noqa: E402
from bench.rows import b2_rows, b3_rows, b4_rows  # noqa: E402

SIZES = {
    #              members rules  B1 s  clients  B2 repeats  B3 stage/post docs  B4 lots/accounts  B5 members/entries  B6 members
    "full": dict(b1s_small=10_000, b1s_big=1_000_000, plans=600, members=100_000, b1_seconds=20, repeats=3000, b3_big=200_000, b3_small=20_000, b3_post=20_000,
                 b4_lots=1_000_000, b4_members=100_000, b5_members=1_000_000, b5_entries=10_000, b5_samples=60,
                 b6_members=100_000, pgbench_scale=8, b7_products=100_000),
    "quick": dict(b1s_small=10_000, b1s_big=100_000, plans=300, members=10_000, b1_seconds=8, repeats=1000, b3_big=20_000, b3_small=2_000, b3_post=2_000,
                  b4_lots=100_000, b4_members=10_000, b5_members=100_000, b5_entries=10_000, b5_samples=30,
                  b6_members=10_000, pgbench_scale=8, b7_products=20_000),
    "smoke": dict(b1s_small=300, b1s_big=600, plans=50, members=300, b1_seconds=1.5, repeats=100, b3_big=1_000, b3_small=100, b3_post=100,
                  b4_lots=2_000, b4_members=200, b5_members=600, b5_entries=300, b5_samples=5,
                  b6_members=300, pgbench_scale=1, b7_products=500),
}
CLIENTS = 8
RULES = 50
MARK_BEGIN = "<!-- bench:results -->"
MARK_END = "<!-- /bench:results -->"


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.size = SIZES[args.mode]
        self.work = Path(tempfile.mkdtemp(prefix="sasom-bench-"))
        self.rows: list[dict] = []
        self.notes: list[str] = []
        self.raw: dict = {}

    # -------------------------------------------------------------------------- plumbing

    def env(self, db: str, setup: dict | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SASOM_DATA_DIR")}
        env.update(PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}", SASOM_DEBUG="0", PYTHONDONTWRITEBYTECODE="1",
                   DJANGO_SETTINGS_MODULE="sasom.settings", SASOM_BENCH_FLOOR="1")  # B1's reference (b)
        if db == "postgres":
            env["DATABASE_URL"] = self.args.pg_url
        else:
            env["SASOM_DATA_DIR"] = str(self.work / "sqlite")
        if setup is not None:
            env["BENCH_SETUP"] = json.dumps(setup)
        return env

    def task(self, db: str, step: str, *argv: str, setup: dict | None = None) -> dict:
        started = time.monotonic()
        self.say(f"  {db:<8} {step} {' '.join(argv)}")
        proc = subprocess.run([sys.executable, "-m", "bench.tasks", step, *argv], cwd=ROOT, env=self.env(db, setup),
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
            raise SystemExit(f"bench step {step} on {db} failed")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        self.say(f"           ... {time.monotonic() - started:.1f} s")
        return result

    def say(self, text: str) -> None:
        print(text, flush=True)

    def row(self, id_: str, db: str, what: str, measured: str, target: str, met: bool | None) -> None:
        self.rows.append({"id": id_, "db": db, "what": what, "measured": measured, "target": target,
                          "met": "n/a" if met is None else ("yes" if met else "NO")})

    # -------------------------------------------------------------------------- B1 / B6

    def load(self, db: str, setup: dict, workers: int, threads: int, path: str = "/api/v1/sales") -> dict:
        # a fresh port for every server: one stopping may still hold the last one for a moment
        self.servers = getattr(self, "servers", 0) + 1
        port = self.args.http_port + 2 * self.servers + (0 if db == "postgres" else 1)
        with Server(port=port, workers=workers, threads=threads, env=self.env(db), log=self.work / f"gunicorn-{db}.log") as srv:
            m = measured_load(srv, setup=setup, clients=CLIENTS, seconds=self.size["b1_seconds"], path=path,
                              postmaster=self.postmaster if db == "postgres" else None)
        res = m.result
        out = {"sales": res.ok, "errors": res.errors, "rate": res.rate, "p50": res.pct(50), "p99": res.pct(99),
               "error_samples": res.error_samples, "app_cpu_ms_per_sale": m.app_cpu_ms}
        if m.pg_cpu_ms is not None:
            out["pg_cpu_ms_per_sale"] = m.pg_cpu_ms
        return out

    # -------------------------------------------------------------------------- the run

    def run(self) -> None:
        s = self.size
        t_start = time.monotonic()
        dbs = (["postgres"] if self.args.pg_url else []) + ([] if self.args.only in ("B1", "B9", "B1+", "B3") else ["sqlite"])
        if self.args.pg_url:
            self.postmaster = int((Path(self.args.pg_datadir) / "data" / "postmaster.pid").read_text().split()[0])
        if self.args.only == "B7":  # the product import builds its own organizations
            for db in dbs:
                self.catalog_import(db)
            self.total = time.monotonic() - t_start
            return
        setups = {}
        for db in dbs:
            self.say(f"== data on {db}")
            members = min(s["b1s_small"], s["members"]) if db == "postgres" else s["b6_members"]
            setups[db] = self.task(db, "setup", "--members", str(members), "--rules", str(RULES))
            self.raw[f"setup_{db}"] = {k: v for k, v in setups[db].items() if k not in ("keys", "phones", "erp_key")}

        pg = "postgres" in dbs
        main_db = "postgres" if pg else "sqlite"
        setup = setups[main_db]
        if self.args.only == "B3":  # the day-end batch alone, without a tier ladder as in the full run
            self.task(main_db, "tiers")
            self.b3(main_db, setup)
            self.total = time.monotonic() - t_start
            return

        # B1: the sales API on PostgreSQL, then its references in the same run (bench/refs.py)
        if pg:
            self.say("== B1 POST /api/v1/sales on PostgreSQL, the framework's floor, the posting function, tpcb")
            self.task("postgres", "tiers")  # B1 without a tier ladder (B9 measures one)
            small = None
            if s["members"] > s["b1s_small"]:  # B1s at the small size first, then the members grown set-based
                small = self.load("postgres", setup, workers=2, threads=4)
                grown = self.task("postgres", "grow", "--members", str(s["members"]))
                setup = {**setup, "phones": grown["phones"]}
            rt = self.task("postgres", "roundtrips", "--sales", "20", setup=setup)
            b1 = self.load("postgres", setup, workers=2, threads=4)
            floor = self.load("postgres", setup, workers=2, threads=4, path=FLOOR_PATH)
            plans = self.task("postgres", "plans", "--count", str(s["plans"]), setup=setup)
            ref = pgbench_plans(self, plans["plans"])
            tpcb = pgbench_tpcb(self)
            self.raw.update(b1=b1, b1s_small=small or b1, floor=floor, plans=plans, pgbench_plans=ref, pgbench=tpcb,
                            roundtrips=rt)
            b1_rows(self, b1, floor, ref, tpcb, rt)

        # B9: the same sales with a tier ladder, in the same run (ratio to B1's sales/s)
        if pg and self.args.only in ("", "B9"):
            self.say("== B9 B1 again with a tier ladder")
            self.task("postgres", "tiers", "--on")
            rt9 = self.task("postgres", "roundtrips", "--sales", "20", setup=setup)
            b9 = self.load("postgres", setup, workers=2, threads=4)
            self.task("postgres", "tiers")
            self.raw.update(b9=b9, roundtrips_b9=rt9)
            ratio9 = b9["rate"] / b1["rate"]
            self.row("B9", "PostgreSQL", "sales API with a tier ladder (evaluated on each sale) / B1 without",
                     f"{b9['rate']:.0f} / {b1['rate']:.0f} sales/s = {ratio9:.2f}x", ">= 0.9x", ratio9 >= 0.9)
            self.row("B9", "PostgreSQL", "database round trips per sale with a ladder (in-process count)",
                     f"{rt9['round_trips']:.1f} / {rt9['round_trips_with_account']:.1f} (B1: "
                     f"{rt['round_trips']:.1f} / {rt['round_trips_with_account']:.1f})", "(context)", None)
            self.row("B9", "PostgreSQL", "PostgreSQL CPU per sale with a ladder / without",
                     f"{b9['pg_cpu_ms_per_sale']:.2f} / {b1['pg_cpu_ms_per_sale']:.2f} ms", "(context)", None)

        # B1+: the same sales with member discounts, 50 promotions and a tier ladder (B1 has price tables)
        if pg and self.args.only in ("", "B1+"):
            self.say("== B1+ B1 again with member discounts, 50 promotions and a tier ladder")
            self.task("postgres", "tiers", "--on")
            self.task("postgres", "promotions", "--on")
            rtp = self.task("postgres", "roundtrips", "--sales", "20", setup=setup)
            b1p = self.load("postgres", setup, workers=2, threads=4)
            self.task("postgres", "promotions")
            self.task("postgres", "tiers")
            self.raw.update(b1plus=b1p)
            ratio_p = b1p["rate"] / b1["rate"]
            self.row("B1+", "PostgreSQL", "sales API with member discounts, 50 promotions, a tier ladder / plain B1",
                     f"{b1p['rate']:.0f} / {b1['rate']:.0f} sales/s = {ratio_p:.2f}x", ">= 0.9x", ratio_p >= 0.9)
            self.row("B1+", "PostgreSQL", "latency p50 / p99, errors",
                     f"{b1p['p50']:.1f} / {b1p['p99']:.1f} ms, {b1p['errors']} errors", "p99 <= 50 ms",
                     b1p["p99"] <= 50 and b1p["errors"] == 0)
            self.row("B1+", "PostgreSQL", "app server CPU per sale / plain B1",
                     f"{b1p['app_cpu_ms_per_sale']:.2f} / {b1['app_cpu_ms_per_sale']:.2f} ms", "(context)", None)
            self.row("B1+", "PostgreSQL", "database round trips per sale (in-process count) / plain B1",
                     f"{rtp['round_trips']:.1f} / {rtp['round_trips_with_account']:.1f} (B1: "
                     f"{rt['round_trips']:.1f} / {rt['round_trips_with_account']:.1f})", "2-3", None)

        if self.args.only in ("B1", "B9", "B1+"):
            self.total = time.monotonic() - t_start
            return

        # B2: the engine alone, against B1's app CPU per sale in the same run
        self.say("== B2 earning engine")
        b2 = self.task(main_db, "engine", "--sizes", "50,200,2000,200+1800", "--repeats", str(s["repeats"]))
        self.raw["b2"] = b2
        b2_rows(self, b2, self.raw.get("b1"))

        self.b3(main_db, setup)

        # B4: expiry, three runs (the expiry undone between them)
        self.say("== B4 points expiry")
        b4 = self.task(main_db, "expiry", "--lots", str(s["b4_lots"]), "--members", str(s["b4_members"]),
                       "--due-share", "0.1", "--runs", "3")
        self.raw["b4"] = b4
        b4_rows(self, main_db, b4)

        # B1s: B1 again once the members are grown set-based to the big size (B5 reads among them too)
        if pg:
            self.say(f"== B1s B1 at {s['b1s_big']:,} members")
            grown = self.task("postgres", "grow", "--members", str(s["b1s_big"]))
            b1s = self.load("postgres", {**setup, "phones": grown["phones"]}, workers=2, threads=4)
            self.raw.update(b1s_big=b1s, b1s_grow=grown["seconds"])
            if b1s["error_samples"]:
                self.notes.append("B1s error samples: " + "; ".join(b1s["error_samples"]))
            ratio_s = b1s["rate"] / self.raw["b1s_small"]["rate"]
            self.row("B1s", "PostgreSQL", f"sales API at {grown['members']:,} members (grown set-based in "
                     f"{grown['seconds']:.0f} s) / at {s['b1s_small']:,}",
                     f"{b1s['rate']:.0f} / {self.raw['b1s_small']['rate']:.0f} sales/s = {ratio_s:.2f}x, p99 "
                     f"{b1s['p99']:.0f} ms, {b1s['errors']} errors", ">= 0.9x", ratio_s >= 0.9 and b1s["errors"] == 0)

        # B5: reads
        self.say("== B5 history and lookup")
        b5 = self.task(main_db, "reads", "--members", str(s["b5_members"]), "--entries", str(s["b5_entries"]),
                       "--samples", str(s["b5_samples"]), setup=setup)
        self.raw["b5"] = b5
        self.row("B5", main_db, f"member history page, {b5['entries']:,} entries (p95)", f"{b5['history_p95_ms']:.1f} ms",
                 "<= 50 ms", b5["history_p95_ms"] <= 50)
        self.row("B5", main_db, "GET /api/v1/members/{code}/entries (p95)", f"{b5['entries_p95_ms']:.1f} ms",
                 "<= 50 ms", b5["entries_p95_ms"] <= 50)
        self.row("B5", main_db, f"member lookup by phone among {b5['members']:,} (p95)",
                 f"{b5['lookup_p95_ms']:.2f} ms, {b5['lookup_queries']} queries", "<= 10 ms", b5["lookup_p95_ms"] <= 10)
        self.row("B5", main_db, "entries API queries at 10 / 100 per page",
                 f"{b5['entries_queries_10']} / {b5['entries_queries_100']}", "constant",
                 b5["entries_queries_10"] == b5["entries_queries_100"])

        # B6: the sales API on SQLite, one process
        self.say("== B6 POST /api/v1/sales on SQLite (one process)")
        b6 = self.load("sqlite", setups["sqlite"], workers=1, threads=4)
        self.raw["b6"] = b6
        vs = f" = {b6['rate'] / self.raw['pgbench_plans']['tps']:.2f}x of B1's posting-function reference" if pg else ""
        self.row("B6", "SQLite", f"sales API, {s['b6_members']:,} members, 1 worker x 4 threads",
                 f"{b6['rate']:.0f} sales/s{vs}, p99 {b6['p99']:.0f} ms, {b6['errors']} errors", "printed", None)
        if b6["error_samples"] or self.raw.get("b1", {}).get("error_samples"):
            self.notes.append("error samples: " + "; ".join(b6["error_samples"] + self.raw.get("b1", {}).get("error_samples", [])))
        for db in dbs:
            self.catalog_import(db)
        self.total = time.monotonic() - t_start

    def b3(self, db: str, setup: dict) -> None:
        """B3: the day-end batch, against the sum of its unavoidable parts measured in the same run."""
        self.say("== B3 day-end batch")
        sizes = self.args.b3_docs.split(",") if self.args.b3_docs else [self.size["b3_small"], self.size["b3_big"]]
        small, big = (self.task(db, "batch", "--docs", str(n), "--post", setup=setup) for n in sizes)
        self.raw.update(b3_small=small, b3_big=big)
        b3_rows(self, db, small, big)

    def catalog_import(self, db: str) -> None:
        """B7: a product file imported (checked, then written), against multi-row INSERTs of its rows."""
        self.say(f"== B7 product import on {db}")
        b7 = self.task(db, "catalog_import", "--rows", str(self.size["b7_products"]))
        self.raw[f"b7_{db}"] = b7
        rate, ref_rate = b7["rows"] / b7["create_s"], b7["rows"] / b7["reference_s"]
        name = "PostgreSQL" if db == "postgres" else "SQLite"
        self.row("B7", name, f"import {b7['rows']:,} new products (CSV, one barcode each)",
                 f"{b7['create_s']:.1f} s = {rate:,.0f} rows/s vs multi-row INSERTs {ref_rate:,.0f} rows/s = {rate / ref_rate:.2f}x",
                 "< 60 s", b7["create_s"] < 60)
        self.row("B7", name, f"the same file again, {b7['updated']:,} prices changed / dry run / as XLSX (dry run)",
                 f"{b7['update_s']:.1f} / {b7['dry_run_s']:.1f} / {b7['xlsx_dry_run_s']:.1f} s", "< 60 s",
                 max(b7["update_s"], b7["xlsx_dry_run_s"]) < 60)

    # -------------------------------------------------------------------------- output

    def table(self) -> str:
        head = ["id", "database", "what", "measured", "target", "met"]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
        for r in self.rows:
            lines.append("| " + " | ".join([r["id"], r["db"], r["what"], r["measured"], r["target"], r["met"]]) + " |")
        return "\n".join(lines)

    def report(self) -> str:
        cmd = "bash scripts/bench.sh" + ("" if self.args.mode == "full" else f" --{self.args.mode}")
        header = (f"Run of {dt.date.today().isoformat()} on {os.cpu_count()} cores, mode `{self.args.mode}`, "
                  f"{self.total / 60:.1f} min including the data build. Repeat with `{cmd}`.")
        return "\n\n".join([header, self.table()] + [f"- {n}" for n in self.notes])

    def write_doc(self) -> None:
        doc = ROOT / "docs" / "performance.md"
        text = doc.read_text(encoding="utf-8") if doc.exists() else f"# Performance\n\n{MARK_BEGIN}\n{MARK_END}\n"
        block = f"{MARK_BEGIN}\n{self.report()}\n{MARK_END}"
        if MARK_BEGIN in text and MARK_END in text:
            text = text[: text.index(MARK_BEGIN)] + block + text[text.index(MARK_END) + len(MARK_END):]
        else:
            text += "\n" + block + "\n"
        doc.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/run.py")
    parser.add_argument("--mode", choices=sorted(SIZES), default="full")
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--pg-port", type=int, default=0)
    parser.add_argument("--pg-datadir", default="")
    parser.add_argument("--pg-bindir", default="")
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("SASOM_BENCH_HTTP_PORT", "18350")))
    parser.add_argument("--write", action="store_true", help="record the table in docs/performance.md")
    parser.add_argument("--json", default="", help="also save the raw results here")
    parser.add_argument("--only", choices=["B1", "B1+", "B3", "B7", "B9"], default="",
                        help="run only these steps (B1: PostgreSQL sales API; B9: B1 then with a tier ladder; "
                             "B1+: B1 then with member discounts, 50 promotions and a tier ladder; B3: the day-end "
                             "batch; B7: product import)")
    parser.add_argument("--b3-docs", default="", help="B3's two sizes, SMALL,BIG (default: the mode's)")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.run()
        print("\n" + bench.report() + "\n", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": bench.rows, "raw": bench.raw}, indent=1, default=str))
        if args.write:
            bench.write_doc()
            print("recorded in docs/performance.md")
    finally:
        if not args.json or "keep" not in os.environ.get("SASOM_BENCH_KEEP", ""):
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
