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
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
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


def step_engine(sizes: list[int], repeats: int) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from bench.workload import engine_basket, engine_rules
    from sasom.earning import engine
    from sasom.earning.rules import RuleSet

    tz = ZoneInfo("Asia/Bangkok")
    when = dt.datetime(2026, 3, 4, 12, 30, tzinfo=tz)
    ctx = engine.MemberContext(member_id=1, member_type="GEN", birth_on=dt.date(1990, 3, 1))
    out = {}
    for size in sizes:
        ruleset = RuleSet(rules=engine_rules(size))
        rng = random.Random(size)
        baskets = [engine_basket(rng, when) for _ in range(50)]
        for b in baskets[:10]:
            engine.compute(b, ctx, ruleset, tz=tz)
        samples = []
        gc.disable()
        for i in range(repeats):
            b = baskets[i % len(baskets)]
            t = time.perf_counter()
            engine.compute(b, ctx, ruleset, tz=tz)
            samples.append((time.perf_counter() - t) * 1e6)
        gc.enable()
        out[str(size)] = {"median_us": round(statistics.median(samples), 1), "p95_us": round(_pct(samples, 95), 1),
                          "candidates": len(ruleset.candidates(baskets[0], ctx))}
    return out


# ------------------------------------------------------------------------------------ B3 batch


def _write_batch_file(path: str, docs: int, phones: list[str], day: dt.date, branches: list[str]) -> int:
    rng = random.Random(docs)
    from bench.workload import basket_lines

    lines_total = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(docs):
            n = rng.randint(3, 7)
            lines_total += n
            at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=7))) + dt.timedelta(
                seconds=rng.randrange(0, 12 * 3600))
            doc = {"branch": branches[i % len(branches)], "document_type": "retail_receipt",
                   "document_number": f"INV{os.getpid()}-{i:07d}", "occurred_at": at.isoformat(),
                   "lines": basket_lines(rng, n)}
            if i % 5:
                doc["member"] = {"phone": phones[i % len(phones)]}
            f.write(json.dumps(doc) + "\n")
    return lines_total


def _post_staged(batch) -> tuple[int, str]:
    """Post the staged documents: ``integrations.batch.batch_calculate`` when it exists, else a
    loop of ``sale_post`` (each document its own transaction) — say which."""
    from sasom.integrations import batch as batch_mod

    if hasattr(batch_mod, "batch_calculate"):
        import inspect

        from sasom.core.audit import Actor

        params = inspect.signature(batch_mod.batch_calculate).parameters
        target = {"batch_id": batch.pk} if "batch_id" in params else {"batch": batch}
        batch_mod.batch_calculate(**target, actor=Actor.system("bench"))
        batch.refresh_from_db()
        return batch.documents_posted, "batch_calculate"
    from django.db import transaction

    from sasom.core.audit import Actor
    from sasom.earning import engine
    from sasom.integrations.models import BatchDocument
    from sasom.ledger.services import sale_post
    from sasom.members.selectors import member_lookup
    from sasom.organizations.models import Branch, Organization, Terminal

    org = Organization.objects.get(pk=batch.organization_id)
    branches = {b.code: b for b in Branch.objects.filter(organization=org)}
    terminals = {}
    for t in Terminal.objects.filter(organization=org).order_by("id"):
        terminals.setdefault(t.branch_id, t)
    actor = Actor.system("bench")
    posted = 0
    pending = BatchDocument.objects.filter(batch=batch, status=BatchDocument.Status.PENDING).order_by("id")
    for doc in pending.iterator(chunk_size=500):
        p = doc.payload
        branch = branches[doc.branch_code]
        ref = p.get("member") or {}
        member = member_lookup(org.pk, phone=ref.get("phone")) if ref else None
        basket = engine.Basket(
            occurred_at=dt.datetime.fromisoformat(p["occurred_at"]),
            lines=tuple(engine.BasketLine(line_no=ln["line_no"], sku=ln["sku"], quantity=Decimal(ln["quantity"]),
                                          unit_price=Decimal(ln["unit_price"]), discount=Decimal(ln["discount"]),
                                          category=ln["category"], brand=ln["brand"]) for ln in p["lines"]),
            branch_code=branch.code, bill_discount=Decimal(p.get("bill_discount") or "0"),
        )
        with transaction.atomic():
            sale_post(organization=org, branch=branch, terminal=terminals[branch.pk], receipt_id=doc.document_number,
                      basket=basket, member=member, actor=actor)
            BatchDocument.objects.filter(pk=doc.pk).update(status="posted")
        posted += 1
    return posted, "staging + a loop of sale_post (batch_calculate not available yet)"


def _parse_only(path: str, day: dt.date) -> float:
    """Seconds to read and check the file with the batch parser alone (no database)."""
    import zoneinfo

    from sasom.integrations.batch import iter_jsonl_documents, open_text

    t0 = time.monotonic()
    with open(path, "rb") as raw:
        for _doc in iter_jsonl_documents(open_text(raw), day, zoneinfo.ZoneInfo("Asia/Bangkok")):
            pass
    return time.monotonic() - t0


class _Stopwatch:
    """Adds up the time spent in ``module.name`` while installed (the engine, the bulk inserts)."""

    def __init__(self, module, name: str) -> None:
        self.module, self.name, self.seconds = module, name, 0.0
        self.original = getattr(module, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        setattr(module, name, timed)

    def stop(self) -> float:
        setattr(self.module, self.name, self.original)
        return self.seconds


def step_batch(docs: int, post: bool) -> dict[str, Any]:
    """Stage ``docs`` documents (and post them with ``post``), in this process: peak memory is the
    process's. The breakdown: parse (the parser alone, timed on the file separately), stage
    (staging minus parsing), and of the posting the engine, the bulk INSERTs/UPDATE of the ledger
    rows, and the rest (member resolution, locks, building rows, document statuses)."""
    from sasom.integrations.batch import batch_stage
    from sasom.integrations.models import SaleBatch
    from sasom.organizations.models import Branch

    setup = json.loads(os.environ["BENCH_SETUP"])
    org = _org()
    branches = list(Branch.objects.filter(organization=org, is_active=True).values_list("code", flat=True))
    day = dt.date(2026, 2, 1) + dt.timedelta(days=random.Random(os.getpid()).randrange(0, 300))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "day.jsonl")
        lines = _write_batch_file(path, docs, setup["phones"], day, branches)
        size_mb = os.path.getsize(path) / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        batch = SaleBatch.objects.create(organization=org, business_on=day, file_name="day.jsonl", format="jsonl")
        t0 = time.monotonic()
        with open(path, "rb") as raw:
            batch_stage(batch=batch, raw=raw)
        staged = time.monotonic() - t0
        rss_staged = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        parse_s = _parse_only(path, day)
    result = {"docs": docs, "lines": lines, "file_mb": round(size_mb, 1), "stage_s": round(staged, 2),
              "parse_s": round(parse_s, 2), "stage_db_s": round(staged - parse_s, 2),
              "stage_rss_mb": round(rss_staged / 1024, 1)}
    if post:
        from sasom.earning import engine
        from sasom.ledger.services import bulk

        watches = {"engine_s": _Stopwatch(engine, "compute"), "insert_s": _Stopwatch(bulk, "_insert")}
        t1 = time.monotonic()
        posted, how = _post_staged(batch)
        post_s = time.monotonic() - t1
        split = {name: round(w.stop(), 2) for name, w in watches.items()}
        result.update(post_s=round(post_s, 2), posted=posted, how=how, **split,
                      post_other_s=round(post_s - sum(split.values()), 2))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["rss_before_mb"] = round(rss_before / 1024, 1)
    return result


def step_copy(rows: int) -> dict[str, Any]:
    """Reference for B3: COPY ``rows`` ledger-entry-shaped rows into a scratch table (PostgreSQL);
    on SQLite an ``executemany`` insert stands in."""
    from django.db import connection, transaction

    rng = random.Random(3)
    data = [(rng.randrange(1, 100000), "earn", 1, rng.randrange(1, 500), '{"awards": []}',
             "2026-03-01T10:00:00+07:00") for _ in range(rows)]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_scratch")
        cur.execute("CREATE TABLE bench_scratch (account_id bigint, kind varchar(10), sign smallint, amount bigint, "
                    "explanation %s, occurred_at %s)" % (("jsonb", "timestamptz") if connection.vendor == "postgresql"
                                                          else ("text", "text")))
    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy("COPY bench_scratch FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            cur.executemany("INSERT INTO bench_scratch VALUES (%s, %s, %s, %s, %s, %s)", data)
    seconds = time.monotonic() - t0
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_scratch")
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


# ------------------------------------------------------------------------------------ B4 expiry


def step_expiry(lots: int, members: int, due_share: float) -> dict[str, Any]:
    """``lots`` lots over ``members`` accounts (built with set-based SQL); the lots of a
    ``due_share`` of the accounts are past their date. Time one set-based statement doing the
    same expiry (rolled back), then ``points_expire_due``, then its idempotent rerun."""
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
    return {"lots": total_lots, "due_lots": due_lots, "accounts": len(acc_ids), "due_accounts": due_accounts,
            "build_s": round(built, 1), "reference_s": round(ref_s, 2), "reference": reference,
            "job_s": round(job_s, 2), "expired_points": expired, "rerun_s": round(rerun_s, 3), "rerun_points": again}


class _Rollback(Exception):
    pass


# ------------------------------------------------------------------------------------ B5 reads


def step_reads(members_total: int, entries: int, samples: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test import Client

    from sasom.ledger.models import Entry, PointAccount
    from sasom.members.models import Member
    from sasom.members.selectors import member_lookup
    from sasom.organizations.models import Staff

    setup = json.loads(os.environ["BENCH_SETUP"])
    org = _org()
    t0 = time.monotonic()
    have = Member.objects.filter(organization=org).count()
    if have < members_total:
        table = Member._meta.db_table
        cols = [f.column for f in Member._meta.concrete_fields if f.column != "id"]
        copies = -(-(members_total - have) // have)
        exprs = []
        for c in cols:
            if c == "code":
                exprs.append("m.code || '-x' || CAST(k.k AS TEXT)")
            elif c == "phone":
                exprs.append("CASE WHEN m.phone IS NULL THEN NULL ELSE '+6610' || CAST(k.k * 10000000 + m.id AS TEXT) END")
            else:
                exprs.append(f"m.{c}")
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE bench_k (k integer PRIMARY KEY)")
            cur.executemany("INSERT INTO bench_k VALUES (%s)", [(k,) for k in range(1, copies + 1)])
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {table} m CROSS JOIN bench_k k "
                f"WHERE m.organization_id = %s AND m.code NOT LIKE '%%-x%%' AND m.id IN "
                f"(SELECT id FROM {table} WHERE organization_id = %s ORDER BY id LIMIT %s)",
                [org.pk, org.pk, have])
            cur.execute("DROP TABLE bench_k")
            cur.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE organization_id = %s "
                        f"AND code LIKE '%%-x%%' ORDER BY id DESC LIMIT %s)",
                        [org.pk, max(0, have * (copies + 1) - members_total)])
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {table}")
    total = Member.objects.filter(organization=org).count()
    # the member with a long history
    member = Member.objects.filter(organization=org, phone__in=setup["phones"][:1]).first()
    account, _ = PointAccount.objects.get_or_create(organization=org, member=member)
    have_entries = Entry.objects.filter(account=account).count()
    if have_entries < entries:
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        Entry.objects.bulk_create(
            [Entry(organization=org, account=account, kind="adjust", sign=1, amount=1 + i % 50, reason="bench history",
                   actor_label="bench", occurred_at=base + dt.timedelta(minutes=37 * i), recorded_at=base,
                   explanation={"awards": [{"rule_code": "BX-BASE", "rule_name": "base", "kind": "base", "points": 1,
                                            "explanation": "100 THB / 25 x 1 = 4 pts", "beneficiary": "member"}]})
             for i in range(entries - have_entries)], batch_size=2000)
    built = time.monotonic() - t0

    owner = Staff.objects.filter(organization=org, role="owner").select_related("user").first()
    web = Client(HTTP_HOST="127.0.0.1")
    web.force_login(owner.user)
    api = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {setup['erp_key']}"}
    pages = max(1, entries // 20)
    rng = random.Random(5)

    def timed(fn, n):
        fn()
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
        return out

    def history():
        r = web.get(f"/points/members/{member.pk}/", {"page": rng.randint(1, pages)})
        assert r.status_code == 200, r.status_code

    def entries_api(per_page=20):
        r = api.get(f"/api/v1/members/{member.code}/entries",
                    {"page": rng.randint(1, max(1, entries // per_page)), "per_page": per_page}, **auth)
        assert r.status_code == 200, r.content[:300]

    phones = setup["phones"]

    def lookup():
        assert member_lookup(org.pk, phone=rng.choice(phones)) is not None

    h = timed(history, samples)
    e = timed(entries_api, samples)
    lk = timed(lookup, samples * 3)
    counts = {}
    for per_page in (10, 100):
        with QueryCounter() as qc:
            entries_api(per_page)
        counts[per_page] = len(qc.statements)
    with QueryCounter() as qc:
        lookup()
    return {"members": total, "entries": Entry.objects.filter(account=account).count(), "build_s": round(built, 1),
            "history_p95_ms": round(_pct(h, 95), 2), "entries_p95_ms": round(_pct(e, 95), 2),
            "lookup_p95_ms": round(_pct(lk, 95), 3), "lookup_queries": len(qc.statements),
            "entries_queries_10": counts[10], "entries_queries_100": counts[100]}


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
    "engine": lambda a: step_engine([int(x) for x in a.sizes.split(",")], a.repeats),
    "batch": lambda a: step_batch(a.docs, a.post),
    "copy": lambda a: step_copy(a.rows),
    "expiry": lambda a: step_expiry(a.lots, a.members, a.due_share),
    "reads": lambda a: step_reads(a.members, a.entries, a.samples),
    "catalog_import": lambda a: _catalog_step(a.rows),
    "promotions": lambda a: _promotions_step(a.on),
}


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
