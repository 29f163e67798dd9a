"""B3, the day-end batch: a JSON Lines file staged and posted, its parts timed, and the references
(``python -m bench.tasks batch|copy``; see docs/performance.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import tempfile
import time
from decimal import Decimal
from typing import Any

from bench.tasks import _org


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
        load_before = os.getloadavg()[0]
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
        marks = _id_marks()
        t1 = time.monotonic()
        posted, how = _post_staged(batch)
        post_s = time.monotonic() - t1
        split = {name: round(w.stop(), 2) for name, w in watches.items()}
        # the peak of staging and posting, before the reference below reads the stored rows back
        result["post_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        result.update(post_s=round(post_s, 2), posted=posted, how=how, **split,
                      post_other_s=round(post_s - sum(split.values()), 2), **copy_stored_rows(marks))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["rss_before_mb"] = round(rss_before / 1024, 1)
    result["load"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]  # 1-minute load average, before / after
    return result


def _ledger_tables():
    from sasom.ledger.models import Entry, Lot, Sale, SaleLine

    return [m._meta.db_table for m in (Sale, SaleLine, Entry, Lot)]


def _id_marks() -> dict[str, int]:
    """The highest id of each ledger table the batch writes: its rows are those above."""
    from django.db import connection

    marks = {}
    with connection.cursor() as cur:
        for table in _ledger_tables():
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            marks[table] = cur.fetchone()[0]
    return marks


def copy_stored_rows(marks: dict[str, int]) -> dict[str, Any]:
    """Reference for B3: the rows the batch stored (sales, lines, entries, lots: every id above
    ``marks``), read back untimed, then COPY'd (timed) into scratch tables made ``LIKE`` the real
    ones with their indexes and defaults (no foreign keys), in one transaction: what storing these
    rows costs the database. SQLite: ``executemany`` INSERTs into index-less copies stand in."""
    from django.db import connection, transaction

    pg = connection.vendor == "postgresql"
    seconds, rows = 0.0, {}
    for table in _ledger_tables():
        scratch = f"bench_copy_{table}"
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {scratch}")
            if pg:
                cur.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)")
                buffer = bytearray()
                with cur.cursor.copy(f"COPY (SELECT * FROM {table} WHERE id > {int(marks[table])}) TO STDOUT") as out:
                    for chunk in out:
                        buffer += chunk
                rows[table] = buffer.count(b"\n")
            else:
                cur.execute(f"CREATE TABLE {scratch} AS SELECT * FROM {table} WHERE 0")
                cur.execute(f"SELECT * FROM {table} WHERE id > %s", [marks[table]])
                data = cur.fetchall()
                rows[table] = len(data)
        t0 = time.monotonic()
        with transaction.atomic(), connection.cursor() as cur:
            if pg:
                with cur.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
                    copy.write(bytes(buffer))
            elif data:
                cur.executemany(f"INSERT INTO {scratch} VALUES ({', '.join(['%s'] * len(data[0]))})", data)
        seconds += time.monotonic() - t0
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {scratch}")
    return {"copy_s": round(seconds, 3), "copy_rows": sum(rows.values()), "copy_rows_by_table": rows}
