"""R1, R2 and R4 as functions of their sizes. The battery runs them full size against gunicorn;
``tests/reliability`` runs them scaled down against Django's live server."""

from __future__ import annotations

import datetime as dt
import queue
import random
import threading
import time
import zoneinfo
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import connection

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.models import Entry, PointAccount, Sale
from sasom.ledger.services import (
    account_for,
    points_expire_due,
    points_spend,
    sale_post,
    sale_return,
    sale_void,
)
from sasom.ledger.testing import assert_ledger_consistent

from .http import Client, run_threads
from .shop import Shop, member_add, sale_body

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")


# --- R1: one balance, hundreds of redemptions at once --------------------------------------------


def r1_redemption_race(base_url: str, shop: Shop, *, member_code: str, balance: int = 1000, cost: int = 7,
                       requests: int = 500, connections: int = 32) -> dict[str, Any]:
    """``requests`` redemptions of a ``cost``-point reward over ``connections`` keep-alive
    connections, all released at once, against one member holding ``balance`` points."""
    member = member_add(shop, member_code, points=balance)
    jobs: queue.Queue[int] = queue.Queue()
    for i in range(requests):
        jobs.put(i)
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(connections)
    body = {"member": {"code": member_code}, "reward": shop.reward_code}

    def conn(i: int) -> None:
        client = Client(base_url, shop.keys[i % len(shop.keys)])
        try:
            barrier.wait(timeout=30)
            while True:
                try:
                    jobs.get_nowait()
                except queue.Empty:
                    return
                a = client.call("POST", "/api/v1/redemptions", body)
                code = (a.json() or {}).get("code", "") if a.status >= 400 else ""
                with lock:
                    statuses[a.status] += 1
                    if code:
                        codes[code] += 1
        finally:
            client.close()

    started = time.monotonic()
    errors = run_threads(connections, conn, timeout=300)
    elapsed = time.monotonic() - started
    balance_after = Client(base_url, shop.keys[0]).call("GET", f"/api/v1/members/{member_code}/balance").json()
    account = PointAccount.objects.get(member=member)
    assert_ledger_consistent(account)
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    return {
        "succeeded": ok,
        "refused_4xx": sum(n for s, n in statuses.items() if 400 <= s < 500),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500 or s == 0),
        "statuses": dict(statuses),
        "refusal_codes": dict(codes),
        "final_balance": balance_after.get("spendable") if isinstance(balance_after, dict) else None,
        "redeem_entries": Entry.objects.filter(account=account, kind="redeem").count(),
        "seconds": round(elapsed, 2),
        "client_errors": [repr(e) for e in errors],
        "expected_successes": balance // cost,
        "expected_balance": balance % cost,
    }


def r1_holds(result: dict[str, Any]) -> bool:
    return (result["succeeded"] == result["expected_successes"]
            and result["final_balance"] == result["expected_balance"]
            and result["server_errors"] == 0 and not result["client_errors"]
            and result["redeem_entries"] == result["expected_successes"])


# --- R2: idempotent sales --------------------------------------------------------------------------


def r2_idempotent_sales(base_url: str, shop: Shop, *, sales: int = 1000, workers: int = 8,
                        prefix: str = "R2") -> dict[str, Any]:
    """Each sale is sent five times with one Idempotency-Key (three at once, then two more),
    then once more with an altered body."""
    member = member_add(shop, f"{prefix}-M", points=0)
    mismatched_replays = 0
    altered_statuses: Counter[int] = Counter()
    first_statuses: Counter[int] = Counter()
    lock = threading.Lock()
    next_sale = iter(range(sales))
    next_lock = threading.Lock()

    def worker(w: int) -> None:
        nonlocal mismatched_replays
        key = shop.keys[w % len(shop.keys)]
        clients = [Client(base_url, key) for _ in range(3)]
        try:
            while True:
                with next_lock:
                    i = next(next_sale, None)
                if i is None:
                    return
                receipt = f"{prefix}-{w}-{i:05d}"
                body = sale_body(receipt, member=member.code, amount=f"{100 + i % 900}.00")
                headers = {"Idempotency-Key": f"{prefix}-key-{i}"}
                answers: list[Any] = [None] * 3
                gate = threading.Barrier(3)

                def send(j: int, _body=body, _headers=headers, _answers=answers, _gate=gate) -> None:
                    _gate.wait(timeout=30)
                    _answers[j] = clients[j].call("POST", "/api/v1/sales", _body, headers=_headers)

                extra = [threading.Thread(target=send, args=(j,)) for j in (1, 2)]
                for t in extra:
                    t.start()
                send(0)
                for t in extra:
                    t.join(60)
                answers += [clients[0].call("POST", "/api/v1/sales", body, headers=headers) for _ in range(2)]
                altered = dict(body, lines=[dict(body["lines"][0], unit_price="1.00")])
                bad = clients[1].call("POST", "/api/v1/sales", altered, headers=headers)
                with lock:
                    first_statuses[answers[0].status if answers[0] else 0] += 1
                    ref = answers[0]
                    if any(a is None or (a.status, a.body) != (ref.status, ref.body) for a in answers):
                        mismatched_replays += 1
                    altered_statuses[bad.status] += 1
        finally:
            for c in clients:
                c.close()

    started = time.monotonic()
    errors = run_threads(workers, worker, timeout=1800)
    elapsed = time.monotonic() - started
    org = shop.organization
    postings = Sale.objects.filter(organization=org, receipt_id__startswith=f"{prefix}-").count()
    earn_entries = Entry.objects.filter(organization=org, kind="earn", sale__receipt_id__startswith=f"{prefix}-").count()
    assert_ledger_consistent(account_for(member))
    return {
        "sales": sales, "requests": sales * 6, "postings": postings, "earn_entries": earn_entries,
        "first_statuses": dict(first_statuses), "replays_differing": mismatched_replays,
        "altered_statuses": dict(altered_statuses), "seconds": round(elapsed, 2),
        "client_errors": [repr(e) for e in errors],
    }


def r2_holds(result: dict[str, Any]) -> bool:
    return (result["postings"] == result["sales"] == result["earn_entries"]
            and result["first_statuses"] == {201: result["sales"]}
            and result["replays_differing"] == 0
            and result["altered_statuses"] == {409: result["sales"]} and not result["client_errors"])


# --- R4: bank-style conservation ---------------------------------------------------------------------

CONSERVATION_SQL = """
SELECT
  (SELECT COALESCE(SUM(spendable + pending - debt), 0) FROM ledger_pointaccount WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(spendable + pending), 0) FROM ledger_pointaccount WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(remaining), 0) FROM ledger_lot WHERE organization_id = %(o)s AND remaining > 0),
  (SELECT COALESCE(MIN(spendable), 0) FROM ledger_pointaccount WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(amount) FILTER (WHERE sign = 1 AND kind IN ('earn', 'buy', 'adjust')), 0)
     FROM ledger_entry WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(amount) FILTER (WHERE kind IN ('redeem', 'purchase')), 0)
     FROM ledger_entry WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(amount) FILTER (WHERE kind = 'expire'), 0) FROM ledger_entry WHERE organization_id = %(o)s),
  (SELECT COALESCE(SUM(-sign * amount) FILTER (WHERE kind IN ('return', 'void', 'reverse')
                                            OR (kind = 'adjust' AND sign = -1)), 0)
     FROM ledger_entry WHERE organization_id = %(o)s),
  (SELECT COUNT(*) FROM ledger_entry WHERE organization_id = %(o)s)
"""


def conservation_read(organization_id: int) -> dict[str, int]:
    """Everything summed in one statement, so in one snapshot."""
    with connection.cursor() as cur:
        cur.execute(CONSERVATION_SQL, {"o": organization_id})
        total, open_balance, lots, min_spendable, issued, redeemed, expired, reversed_, entries = cur.fetchone()
    return {"total": int(total), "open_balance": int(open_balance), "lots": int(lots),
            "min_spendable": int(min_spendable), "issued": int(issued), "redeemed": int(redeemed),
            "expired": int(expired), "reversed": int(reversed_), "entries": int(entries)}


def conservation_ok(r: dict[str, int]) -> bool:
    return (r["total"] == r["issued"] - r["redeemed"] - r["expired"] - r["reversed"]
            and r["open_balance"] == r["lots"] and r["min_spendable"] >= 0)


def r4_conservation(shop: Shop, *, members: int = 100, workers: int = 8, seconds: float = 300.0,
                    read_every: float = 0.1, seed: int = 4) -> dict[str, Any]:
    """``workers`` threads mix earn / redeem / return / void / expire on ``members`` accounts for
    ``seconds`` while a reader sums everything every ``read_every`` seconds (services in-process,
    each thread on its own database connection)."""
    org = shop.organization
    people = [member_add(shop, f"R4-{i:04d}", points=50) for i in range(members)]
    posted: list[int] = []
    posted_lock = threading.Lock()
    ops: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    ops_lock = threading.Lock()
    stop = threading.Event()
    reads: list[dict[str, int]] = []
    bad_reads: list[dict[str, int]] = []
    now_local = dt.datetime.now(BKK)

    def work(w: int) -> None:
        rnd = random.Random(seed * 100 + w)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                op = rnd.choices(["earn", "redeem", "return", "void", "expire"], [45, 30, 12, 8, 5])[0]
                try:
                    if op == "earn":
                        who = rnd.choice(people)
                        when = now_local - dt.timedelta(days=rnd.randint(0, 45), minutes=rnd.randint(0, 600))
                        lines = tuple(engine.BasketLine(line_no=j, sku=f"S{j}", quantity=Decimal(1),
                                                        unit_price=Decimal(rnd.randint(50, 900)))
                                      for j in (1, 2))
                        term = shop.terminals[w % len(shop.terminals)]
                        result = sale_post(organization=org, branch=term.branch, terminal=term,
                                           receipt_id=f"R4-{w}-{n}", basket=engine.Basket(occurred_at=when, lines=lines),
                                           member=who, actor=Actor.system(f"r4-{w}"))
                        with posted_lock:
                            posted.append(result.sale.pk if hasattr(result, "sale") else result.pk)
                    elif op == "redeem":
                        who = rnd.choice(people)
                        points_spend(account=account_for(who), points=rnd.randint(1, 15), actor=Actor.system(f"r4-{w}"))
                    elif op in ("return", "void"):
                        with posted_lock:
                            pk = rnd.choice(posted) if posted else None
                        if pk is None:
                            continue
                        sale = Sale.objects.get(pk=pk)
                        if op == "return":
                            sale_return(sale=sale, lines={rnd.choice([1, 2]): 1}, actor=Actor.system(f"r4-{w}"),
                                        return_id=f"RT-{w}-{n}")
                        else:
                            sale_void(sale=sale, reason="battery", actor=Actor.system(f"r4-{w}"))
                    else:
                        points_expire_due(organization_id=org.id)
                    with ops_lock:
                        ops[op] += 1
                except DomainError as exc:
                    with ops_lock:
                        refusals[f"{op}:{exc.code}"] += 1
        finally:
            connection.close()

    def reader(_: int) -> None:
        try:
            while not stop.is_set():
                r = conservation_read(org.id)
                reads.append(r)
                if not conservation_ok(r):
                    bad_reads.append(r)
                time.sleep(read_every)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(workers)]
    threads.append(threading.Thread(target=reader, args=(0,), daemon=True))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(120)
    final = conservation_read(org.id)
    inconsistent = 0
    for account in PointAccount.objects.filter(organization=org):
        try:
            assert_ledger_consistent(account)
        except AssertionError:
            inconsistent += 1
    return {
        "seconds": seconds, "workers": workers, "members": members, "operations": dict(ops),
        "refusals": dict(refusals), "reads": len(reads), "bad_reads": len(bad_reads),
        "first_bad_read": bad_reads[0] if bad_reads else None, "final": final,
        "min_spendable_seen": min([r["min_spendable"] for r in reads] + [final["min_spendable"]]),
        "final_ok": conservation_ok(final), "inconsistent_accounts": inconsistent,
        "stuck_threads": sum(t.is_alive() for t in threads),
    }


def r4_holds(result: dict[str, Any]) -> bool:
    return (result["reads"] > 0 and result["bad_reads"] == 0 and result["final_ok"]
            and result["inconsistent_accounts"] == 0 and result["stuck_threads"] == 0)
