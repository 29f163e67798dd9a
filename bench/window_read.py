"""B9's reads before the posting call, alone (issue 19, B9; the numbers are in docs/performance.md,
"Tiers on the sale path").

One connection runs a sale's first read for members of the bench's demo organization (members with
an account, in a fixed random order, each with a 10-line basket of the bench's products), one after
the other, and the backend's own CPU is read from ``/proc`` around each batch (user + system time of
that one process: no other client's work is in it); the client's wall time beside it. Variants,
alternated in rounds so that a change of the machine's load falls on all of them:

* ``plain``: the read without a ladder (``sasom_sale_read_by_phone_v3``, B1's);
* ``apart``: the same read, then the window's points as a statement of their own
  (``sasom_tier_earned_v2``): what a sale with a ladder made before the window rode with the read;
* ``folded``: the read of a points ladder, the window's measure in it (``..._points_v3``, B9's).

Then ``--window``: the window's statement alone against a read of one row by its key (what a
measure kept per member would read), by how many entries the members' accounts hold.

    python -m bench.window_read --pg-url URL [--members 1000] [--rounds 12]

Run it on a cluster a bench run left its data on (``bench/run.py --only B9`` and the like).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.load import CLK_TCK, _stat

ROOT = Path(__file__).resolve().parent.parent


def _statements() -> dict[str, tuple[str, str]]:
    """The statements' texts and parameter types, as the application prepares them."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")
    import django

    django.setup()
    from sasom.checkout import pricing_read as pr
    from sasom.ledger.services import fastpost

    body = pr._READ.replace("{column}", "phone").replace("{columns}", fastpost.member_columns())
    return {"plain": (pr._TYPES, body.replace("{window}", pr._WINDOWS[""])),
            "points": (pr._TYPES + pr._TIER_TYPES, body.replace("{window}", pr._WINDOWS["points"])),
            "earned": ("bigint, bigint, timestamptz, timestamptz", fastpost._EARNED)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/window_read.py")
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.pg_url
    texts = _statements()
    import psycopg

    conn = psycopg.connect(args.pg_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    conn.execute("SET jit = off")  # as the app's sessions (core.db_session)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def cpu() -> float:
        f = _stat(pid)
        return (int(f[11]) + int(f[12])) / CLK_TCK

    org, branch = conn.execute("SELECT o.id, min(b.id) FROM organizations_organization o JOIN organizations_branch b"
                               " ON b.organization_id = o.id GROUP BY o.id ORDER BY o.id LIMIT 1").fetchone()
    general = conn.execute("SELECT general_table_id FROM catalog_pricingsettings WHERE organization_id = %s",
                           [org]).fetchone()
    rows = conn.execute("SELECT m.phone, a.id, a.sale_count FROM members_member m JOIN ledger_pointaccount a"
                        " ON a.member_id = m.id WHERE m.organization_id = %s AND m.phone <> ''"
                        " ORDER BY md5(m.id::text) LIMIT %s", [org, args.members]).fetchall()
    rng = random.Random(7)
    codes = [sorted({f"S{rng.randrange(0, 400):05d}" for _ in range(10)}) for _ in rows]
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=365)
    for name, (types, body) in texts.items():
        conn.execute(f"PREPARE {name} ({types}) AS {body}")

    def first(phone: str, basket: list[str]) -> list[Any]:
        return [org, basket, now.date(), branch, phone, general[0] if general else None, [], []]

    def batch(variant: str) -> tuple[float, float]:
        c0, w0 = cpu(), time.perf_counter()
        for (phone, account, _n), basket in zip(rows, codes, strict=True):
            if variant == "folded":
                conn.execute("EXECUTE points (" + ", ".join(["%s"] * 11) + ")",
                             [*first(phone, basket), start, now, "NO-TOP"]).fetchall()
                continue
            conn.execute("EXECUTE plain (" + ", ".join(["%s"] * 8) + ")", first(phone, basket)).fetchall()
            if variant == "apart":
                conn.execute("EXECUTE earned (%s, %s, %s, %s)", [org, account, start, now]).fetchall()
        wall = time.perf_counter() - w0
        time.sleep(0.05)  # the backend's last tick settled
        return (cpu() - c0) * 1e6 / len(rows), wall * 1e3 / len(rows)

    variants = ["plain", "apart", "folded"]
    for v in variants:
        batch(v)  # warm: plans chosen (generic after five), pages in the cache
    got: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    for r in range(args.rounds):
        for v in (variants if r % 2 == 0 else variants[::-1]):
            got[v].append(batch(v))
    print(f"{len(rows)} members, {statistics.mean(r[2] for r in rows):.1f} sales each on average; "
          f"load average {os.getloadavg()[0]:.2f}")
    for v in variants:
        cpus, walls = [c for c, _w in got[v]], [w for _c, w in got[v]]
        print(f"{v:7s} backend CPU per sale's reads: median {statistics.median(cpus):.0f} us "
              f"(rounds {min(cpus):.0f}-{max(cpus):.0f}); client wall median {statistics.median(walls):.2f} ms")
    conn.execute("PREPARE one (bigint) AS SELECT spendable, lifetime_earned FROM ledger_pointaccount WHERE id = $1")
    for lo, hi in ((1, 3), (10, 20), (40, 80), (100, 10**6)):
        accounts = [r[0] for r in conn.execute("SELECT id FROM ledger_pointaccount WHERE organization_id = %s AND"
                                               " sale_count BETWEEN %s AND %s ORDER BY id LIMIT 200", [org, lo, hi])]
        if not accounts:
            continue
        entries = conn.execute("SELECT count(*) FROM ledger_entry WHERE account_id = ANY(%s)", [accounts]).fetchone()[0]
        out = []
        for name, sql, params in (("window", "EXECUTE earned (%s, %s, %s, %s)", lambda a: [org, a, start, now]),
                                  ("one row", "EXECUTE one (%s)", lambda a: [a])):
            spent = []
            for _round in range(3):
                c0 = cpu()
                for _again in range(5):
                    for a in accounts:
                        conn.execute(sql, params(a)).fetchall()
                time.sleep(0.05)
                spent.append((cpu() - c0) * 1e6 / (5 * len(accounts)))
            out.append(f"{name} {statistics.median(spent):.0f} us")
        print(f"accounts with {lo}-{hi if hi < 10**6 else 'more'} sales ({len(accounts)}, "
              f"{entries / len(accounts):.0f} entries each): " + ", ".join(out) + " of backend CPU a statement")


if __name__ == "__main__":
    main()
