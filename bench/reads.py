"""B5, reads: the member history page, the entries API and the phone lookup among many members
(``python -m bench.tasks reads``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from typing import Any

from bench.tasks import QueryCounter, _org, _pct


def members_grow(org, members_total: int) -> int:
    """Copy the organization's members with set-based SQL until it has ``members_total`` (codes
    ``<code>-x<k>``, phones ``+662`` and a 7-digit counter: valid as typed, so findable by the API).
    Returns how many were added."""
    from django.db import connection, transaction

    from sasom.members.models import Member

    have = Member.objects.filter(organization=org).count()
    if have >= members_total:
        return 0
    # the members copied are the originals (no ``-x`` code); an earlier grow in the same cluster
    # (another step's) left ``rounds`` rounds of copies: this one numbers its rounds after them and
    # its phone counters after every member there is, so codes and phones stay unique
    base = Member.objects.filter(organization=org).exclude(code__contains="-x").count()
    rounds = -(-(have - base) // base)
    table = Member._meta.db_table
    cols = [f.column for f in Member._meta.concrete_fields if f.column != "id"]
    copies = -(-(members_total - have) // base)
    pg = connection.vendor == "postgresql"
    counter = f"{have} + (k.k - 1) * {base} + m.rn"
    digits = f"lpad(CAST({counter} AS TEXT), 7, '0')" if pg else f"printf('%%07d', {counter})"
    exprs = []
    for c in cols:
        if c == "code":
            exprs.append(f"m.code || '-x' || CAST(k.k + {rounds} AS TEXT)")
        elif c == "phone":
            exprs.append(f"CASE WHEN m.phone IS NULL THEN NULL ELSE '+662' || {digits} END")
        else:
            exprs.append(f"m.{c}")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_k (k integer PRIMARY KEY)")
        cur.executemany("INSERT INTO bench_k VALUES (%s)", [(k,) for k in range(1, copies + 1)])
        cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM "
            f"(SELECT *, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM {table} WHERE organization_id = %s "
            f"AND code NOT LIKE '%%-x%%') m CROSS JOIN bench_k k WHERE (k.k - 1) * %s + m.rn <= %s",
            [org.pk, base, members_total - have])
        cur.execute("DROP TABLE bench_k")
    if pg:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    return Member.objects.filter(organization=org).count() - have


def step_grow(members_total: int, phones: int) -> dict[str, Any]:
    """B1s: grow the members to ``members_total`` and hand back a new sample of ``phones`` phones
    drawn from the whole population (the load then touches every part of the tables)."""
    from django.db import connection

    from sasom.members.models import Member

    org = _org()
    t0 = time.monotonic()
    added = members_grow(org, members_total)
    grown = time.monotonic() - t0
    sample = list(Member.objects.filter(organization=org, status="active", phone__isnull=False,
                                        member_type__can_earn=True).order_by("?").values_list("phone", flat=True)[:phones])
    from sasom.members.validation import try_normalize_phone

    sample = [p for p in sample if try_normalize_phone(p, org.phone_region or "TH") == p]  # findable as typed, as setup's
    return {"members": Member.objects.filter(organization=org).count(), "added": added, "seconds": round(grown, 1),
            "phones": sample, "vendor": connection.vendor}


def step_reads(members_total: int, entries: int, samples: int) -> dict[str, Any]:
    from django.test import Client

    from sasom.ledger.models import Entry, PointAccount
    from sasom.members.models import Member
    from sasom.members.selectors import member_lookup
    from sasom.organizations.models import Staff

    setup = json.loads(os.environ["BENCH_SETUP"])
    org = _org()
    t0 = time.monotonic()
    members_grow(org, members_total)
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
