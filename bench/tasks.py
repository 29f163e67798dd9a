"""Benchmark steps that run inside Django, one per process: ``python -m bench.tasks STEP --json ARGS``.

Each step prints one JSON object on its last stdout line; ``bench/run.py`` collects them. The
database is the one ``DATABASE_URL`` names (SQLite under ``SASOM_DATA_DIR`` when unset).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import os
import random
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")


def _setup() -> None:
    import django
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()


def _org():
    from sasom.demo import DEMO_CODE
    from sasom.organizations.models import Organization

    return Organization.objects.get(code=DEMO_CODE)


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


class QueryCounter:
    """Counts statements (``execute_wrapper``) and transactions (commit/rollback) on ``default``.

    Database round trips = statements + BEGIN + COMMIT/ROLLBACK of each transaction.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.transactions = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCounter:
        from django.db import connection

        self._wrap = connection.execute_wrapper(self)
        self._wrap.__enter__()
        self._commit, self._rollback = connection._commit, connection._rollback

        def commit():
            self.transactions += 1
            return self._commit()

        def rollback():
            self.transactions += 1
            return self._rollback()

        connection._commit, connection._rollback = commit, rollback
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connection

        connection._commit, connection._rollback = self._commit, self._rollback
        self._wrap.__exit__(*exc)

    @property
    def round_trips(self) -> int:
        return len(self.statements) + 2 * self.transactions


# ------------------------------------------------------------------------------------ setup


def step_setup(members: int, rules: int, phones: int) -> dict[str, Any]:
    """Migrate, build the demo organization with ``members`` members, top its rules up to
    ``rules`` active ones of mixed kinds, lift the demo keys' rate limits, and hand back the POS
    keys and a sample of member phones for the load generator."""
    from django.core.management import call_command

    from bench.workload import rule_specs
    from sasom.core.audit import Actor
    from sasom.demo import demo_api_key, demo_exists
    from sasom.earning import services
    from sasom.earning.models import EarnRule

    t0 = time.monotonic()
    call_command("migrate", "--no-input", "-v", "0")
    built = False
    if not demo_exists():
        call_command("sasom_demo", "--members", str(members), stdout=io.StringIO())
        built = True
    org = _org()
    actor = Actor.system("bench")
    active = EarnRule.objects.filter(organization=org, is_active=True).count()
    taken = set(EarnRule.objects.filter(organization=org).values_list("code", flat=True))
    for spec in rule_specs(rules + 20):
        if active >= rules:
            break
        if spec["code"] in taken:
            continue
        data = {k: v for k, v in spec.items()}
        data.setdefault("name", spec["code"])
        services.rule_create(organization_id=org.pk, actor=actor, **data)
        active += 1
    from bench.workload import catalog_setup
    from sasom.integrations.models import ApiKey

    catalog_setup(org)  # B1 runs with price tables on
    from sasom.promotions.models import Promotion
    from sasom.promotions.services import promotion_end

    # B1 is the plain sale path: the demo's own promotions end here (one offers ice for 1 THB on
    # any bill of 300 THB, which sends nearly every basket down the promoted path, 16-20 round
    # trips instead of 2-3); B1+ turns on its own 50
    for promotion in Promotion.objects.filter(organization=org, status="active"):
        promotion_end(promotion=promotion, actor=actor)
    ApiKey.objects.filter(organization=org, created_by="demo").update(rate_limit_per_minute=0)
    keys = []
    for key in ApiKey.objects.filter(organization=org, created_by="demo", terminal__isnull=False).select_related("terminal"):
        prefix, secret = demo_api_key(key.label)
        if key.terminal.kind == "pos":
            keys.append(f"sk_{prefix}_{secret}")
    erp = ApiKey.objects.filter(organization=org, created_by="demo", terminal__isnull=True).first()
    from sasom.members.models import Member

    sample = list(
        Member.objects.filter(organization=org, status="active", phone__isnull=False, member_type__can_earn=True)
        .order_by("?" if members <= 20000 else "pk")
        .values_list("phone", flat=True)[: phones * (1 if members <= 20000 else 5)]
    )
    from sasom.members.validation import try_normalize_phone

    sample = [p for p in sample if try_normalize_phone(p, org.phone_region or "TH") == p]  # findable as typed
    random.Random(7).shuffle(sample)
    return {
        "built": built, "seconds": round(time.monotonic() - t0, 1), "members": Member.objects.filter(organization=org).count(),
        "rules": EarnRule.objects.filter(organization=org, is_active=True).count(), "keys": keys,
        "erp_key": "sk_{}_{}".format(*demo_api_key(erp.label)) if erp else None, "phones": sample[:phones],
    }


# ------------------------------------------------------------------------------------ B1 round trips


def step_roundtrips(sales: int) -> dict[str, Any]:
    """Post ``sales`` sales through the real API stack in-process and count database round trips."""
    from django.test import Client

    from bench.workload import basket_lines

    setup = json.loads(os.environ["BENCH_SETUP"])
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(11)
    key = setup["keys"][0]
    phones = setup["phones"]
    per_sale, last = [], []
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for i in range(sales + 3):
        body = {"receipt_id": f"RT-{os.getpid()}-{i}", "occurred_at": now.isoformat(),
                "member": {"phone": phones[i % len(phones)]}, "lines": basket_lines(rng)}
        with QueryCounter() as qc:
            response = client.post("/api/v1/sales", json.dumps(body), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 201, response.content[:500]
        if i >= 3:  # the first requests warm the caches (rules, key, settings)
            per_sale.append(qc.round_trips)
            last = qc.statements
    again = []  # the same members once more: now every one of them has an account
    for i in range(3, sales + 3):
        body = {"receipt_id": f"RT-{os.getpid()}-again-{i}", "occurred_at": now.isoformat(),
                "member": {"phone": phones[i % len(phones)]}, "lines": basket_lines(rng)}
        with QueryCounter() as qc:
            response = client.post("/api/v1/sales", json.dumps(body), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 201, response.content[:500]
        again.append(qc.round_trips)
    return {
        "round_trips": statistics.mean(per_sale), "round_trips_max": max(per_sale),
        "round_trips_with_account": statistics.mean(again),
        "statements_of_one_sale": [s.split(" WHERE ")[0][:110] for s in last],
    }


# ------------------------------------------------------------------------------------ B2 engine


def step_engine(sizes: list[str], repeats: int) -> dict[str, Any]:
    """B2: the engine's CPU time per call (``time.thread_time``: the machine's load does not
    count, as wall time would) at each size, the sizes interleaved (every round runs each size on
    the same baskets' turn), so a change of load hits them alike. A size ``200+1800`` is the 200
    rules with 1,800 that cannot apply to the baskets (``workload.unrelated_specs``)."""
    from zoneinfo import ZoneInfo

    from bench.workload import engine_basket, engine_rules
    from sasom.earning import engine
    from sasom.earning.rules import RuleSet

    tz = ZoneInfo("Asia/Bangkok")
    when = dt.datetime(2026, 3, 4, 12, 30, tzinfo=tz)
    ctx = engine.MemberContext(member_id=1, member_type="GEN", birth_on=dt.date(1990, 3, 1))
    runs = {}
    for size in sizes:
        count, _, unrelated = size.partition("+")
        ruleset = RuleSet(rules=engine_rules(int(count), int(unrelated or 0)))
        rng = random.Random(int(count))
        baskets = [engine_basket(rng, when) for _ in range(50)]
        results = [engine.compute(b, ctx, ruleset, tz=tz) for b in baskets]
        runs[size] = (ruleset, baskets, results)
    samples: dict[str, list[float]] = {size: [] for size in sizes}
    walls: dict[str, list[float]] = {size: [] for size in sizes}
    clock = time.thread_time
    gc.disable()
    for i in range(repeats):
        for size in sizes:
            ruleset, baskets, _ = runs[size]
            b = baskets[i % len(baskets)]
            w, t = time.perf_counter(), clock()
            engine.compute(b, ctx, ruleset, tz=tz)
            samples[size].append((clock() - t) * 1e6)
            walls[size].append((time.perf_counter() - w) * 1e6)
    gc.enable()
    out = {}
    for size in sizes:
        ruleset, baskets, results = runs[size]
        out[size] = {"median_us": round(statistics.median(samples[size]), 1), "p95_us": round(_pct(samples[size], 95), 1),
                     "wall_median_us": round(statistics.median(walls[size]), 1), "rules": len(ruleset),
                     "candidates": round(statistics.mean(len(ruleset.index.candidates(b, ctx, when)) for b in baskets), 2),
                     "awards": round(statistics.mean(len(r.awards) for r in results), 2)}
    return out


def step_tiers(on: bool) -> dict[str, Any]:
    """B9: switch the demo organization's tier ladder on or off (B1's baseline). On: every member
    is placed in the lowest tier and none can reach the next, so every sale sums its window and
    none upgrades (the steady state; an upgrade is a member's rare event)."""
    from django.db.models import F

    from sasom.core.audit import Actor
    from sasom.members.models import Member
    from sasom.tiers.models import MemberTier, Tier, TierLadder
    from sasom.tiers.services import TierIn, ladder_configure

    org = _org()
    if on:
        ladder_configure(organization_id=org.pk, actor=Actor.system("bench"), name="B9", window_months=12,
                         tiers=[TierIn("B9-BASIC", "Basic", 0), TierIn("B9-GOLD", "Gold", 10**9),
                                TierIn("B9-PLAT", "Platinum", 2 * 10**9)])
        basic = Tier.objects.get(organization=org, code="B9-BASIC")
        MemberTier.objects.filter(organization=org).delete()
        ids = list(Member.objects.filter(organization=org).values_list("pk", flat=True))
        MemberTier.objects.bulk_create([MemberTier(organization=org, member_id=i, tier=basic) for i in ids],
                                       batch_size=5000)
    else:
        TierLadder.objects.filter(organization=org).update(is_active=False, version=F("version") + 1)
    return {"on": on, "ladders_active": TierLadder.objects.filter(organization=org, is_active=True).count(),
            "members_placed": MemberTier.objects.filter(organization=org).count()}


STEPS = {
    "tiers": lambda a: step_tiers(a.on),
    "setup": lambda a: step_setup(a.members, a.rules, a.phones),
    "roundtrips": lambda a: step_roundtrips(a.sales),
    "engine": lambda a: step_engine(a.sizes.split(","), a.repeats),
    "batch": lambda a: _step("bench.batch_day", "step_batch")(a.docs, a.post),
    "expiry": lambda a: _step("bench.expiry", "step_expiry")(a.lots, a.members, a.due_share, a.runs),
    "reads": lambda a: _step("bench.reads", "step_reads")(a.members, a.entries, a.samples),
    "grow": lambda a: _step("bench.reads", "step_grow")(a.members, a.phones),
    "plans": lambda a: _step("bench.refs", "step_plans")(a.count),
    "catalog_import": lambda a: _catalog_step(a.rows),
    "promotions": lambda a: _promotions_step(a.on),
}


def _step(module: str, name: str):
    """A step that lives in a module of its own (imported when run: each loads what it needs)."""
    import importlib

    return getattr(importlib.import_module(module), name)


def _promotions_step(on: bool) -> dict[str, Any]:
    from bench.promo_load import step_promotions

    return step_promotions(on)


def _catalog_step(rows: int) -> dict[str, Any]:
    from bench.catalog import step_catalog_import

    return step_catalog_import(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.tasks")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--sales", type=int, default=20)
    parser.add_argument("--sizes", default="50,200,2000")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--post", action="store_true")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=10000)
    parser.add_argument("--due-share", type=float, default=0.1)
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--on", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args(argv)
    if args.step != "engine":
        _setup()
    else:
        import django

        django.setup()
    result = STEPS[args.step](args)
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
