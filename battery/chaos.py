"""R3: mixed load while gunicorn workers are killed with SIGKILL and PostgreSQL is stopped with
``-m immediate``; clients retry with their Idempotency-Keys. Afterwards every account adds up and
every 2xx a client saw has exactly one posting."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count

from sasom.integrations.models import IdempotencyRecord
from sasom.ledger.models import Entry, PointAccount, Sale, SaleReturn
from sasom.ledger.testing import assert_ledger_consistent
from sasom.rewards.models import Redemption

from .http import Client
from .shop import Shop, member_add, sale_body

RETRY_STATUSES = {0, 429, 500, 502, 503, 504}


def worker_pids(master_pid: int) -> list[int]:
    path = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


class Load:
    """``clients`` POS terminals, each looping over sale / redemption / return / void / balance."""

    def __init__(self, base_url: str, shop: Shop, members: list[str], *, clients: int, seed: int = 3):
        self.base_url, self.shop, self.members, self.clients = base_url, shop, members, clients
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.seen_2xx: list[tuple[str, str, dict[str, Any]]] = []  # (op, key, answer)
        self.answers: Counter[str] = Counter()
        self.retries = 0
        self.gave_up: list[tuple[str, str]] = []

    def _send(self, client: Client, op: str, path: str, body: Any, key: str) -> tuple[int, Any]:
        """Send until a definitive answer (2xx or a 4xx other than in-flight); give up after 300 s."""
        deadline = time.monotonic() + 300
        while True:
            a = client.call("POST", path, body, headers={"Idempotency-Key": key})
            data = a.json()
            code = data.get("code") if isinstance(data, dict) else None
            with self.lock:
                self.answers[f"{op}:{a.status}"] += 1
            if a.status not in RETRY_STATUSES and not (a.status == 409 and code == "idempotency_in_flight"):
                if 200 <= a.status < 300:
                    with self.lock:
                        self.seen_2xx.append((op, key, data))
                return a.status, data
            if time.monotonic() > deadline:
                with self.lock:
                    self.gave_up.append((op, key))
                return a.status, data
            with self.lock:
                self.retries += 1
            time.sleep(0.2 if a.status else 0.5)

    def run_client(self, i: int) -> None:
        rnd = random.Random(self.seed * 1000 + i)
        key = self.shop.keys[i % len(self.shop.keys)]
        client = Client(self.base_url, key, timeout=20)
        mine: list[str] = []  # receipts this terminal posted
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                op = rnd.choices(["sale", "redeem", "return", "void", "read"], [50, 22, 10, 5, 13])[0]
                member = rnd.choice(self.members)
                if op == "sale":
                    receipt = f"R3-{i}-{n}"
                    status, _ = self._send(client, op, "/api/v1/sales",
                                           sale_body(receipt, member=member, amount=f"{rnd.randint(100, 3000)}.00", lines=2),
                                           key=f"sale-{receipt}")
                    if 200 <= status < 300:
                        mine.append(receipt)
                elif op == "redeem":
                    self._send(client, op, "/api/v1/redemptions", {"member": {"code": member}, "reward": "R7"},
                               key=f"redeem-{uuid.uuid4()}")
                elif op in ("return", "void") and mine:
                    receipt = rnd.choice(mine)
                    if op == "return":
                        rid = f"RT-{i}-{n}"
                        self._send(client, op, f"/api/v1/sales/{receipt}/returns",
                                   {"return_id": rid, "lines": [{"line_no": rnd.choice([1, 2]), "quantity": "1"}]},
                                   key=f"return-{rid}")
                    else:
                        self._send(client, op, f"/api/v1/sales/{receipt}/void", {"reason": "battery"},
                                   key=f"void-{receipt}")
                else:
                    a = client.call("GET", f"/api/v1/members/{member}/balance")
                    with self.lock:
                        self.answers[f"read:{a.status}"] += 1
        finally:
            client.close()


def r3_chaos(base_url: str, shop: Shop, *, master_pid: Callable[[], int], pg_restart: Callable[[], None],
             seconds: float = 600, kill_every: float = 30, clients: int = 12, members: int = 50,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    codes = [member_add(shop, f"R3-{i:03d}", points=200, phone=f"+66870{i:06d}").code for i in range(members)]
    load = Load(base_url, shop, codes, clients=clients)
    threads = [threading.Thread(target=load.run_client, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    kills = 0
    pg_stopped = False
    next_kill = started + kill_every
    while time.monotonic() - started < seconds:
        time.sleep(0.5)
        now = time.monotonic()
        if now >= next_kill:
            pids = worker_pids(master_pid())
            if pids:
                victim = random.choice(pids)
                try:
                    os.kill(victim, signal.SIGKILL)
                    kills += 1
                    log(f"  R3 t={now - started:5.0f}s kill -9 worker {victim}")
                except ProcessLookupError:
                    pass
            next_kill = now + kill_every
        if not pg_stopped and now - started >= seconds / 2:
            pg_stopped = True
            log(f"  R3 t={now - started:5.0f}s PostgreSQL stop -m immediate, start again")
            pg_restart()
    load.stop.set()
    for t in threads:
        t.join(360)
    stuck = sum(t.is_alive() for t in threads)
    connection.close()  # this process's own connection died with the PostgreSQL restart
    org = shop.organization
    # every account: balance == sum of entries == open lots
    inconsistent = []
    accounts = list(PointAccount.objects.filter(organization=org))
    for account in accounts:
        try:
            assert_ledger_consistent(account)
        except AssertionError as exc:
            inconsistent.append(f"{account.pk}: {exc}")
    # every 2xx a client saw has exactly one posting
    missing_or_double: list[str] = []
    for op, key, data in load.seen_2xx:
        if op == "sale":
            n = Sale.objects.filter(organization=org, receipt_id=data["receipt_id"]).count()
        elif op == "redeem":
            n = Redemption.objects.filter(organization=org, number=data["number"]).count()
        elif op == "return":
            n = SaleReturn.objects.filter(organization=org, return_id=data["return_id"]).count()
        else:
            n = Sale.objects.filter(organization=org, receipt_id=data["receipt_id"], status="voided").count()
        if n != 1:
            missing_or_double.append(f"{op} {key}: {n}")
    # no duplicate: one redemption per stored idempotent answer, one earn entry per sale
    stored = IdempotencyRecord.objects.filter(organization_id=org.id, path="/api/v1/redemptions",
                                              state=IdempotencyRecord.State.DONE, status_code=201)
    numbers = [json.loads(bytes(r.response_body))["number"] for r in stored]
    redemptions = Redemption.objects.filter(organization=org).count()
    double_earn = (Entry.objects.filter(organization=org, kind="earn", sale__isnull=False)
                   .values("sale_id").order_by().annotate(n=Count("id"))
                   .filter(n__gt=1).count())
    seen_counts = Counter(op for op, _k, _d in load.seen_2xx)
    return {
        "seconds": seconds, "clients": clients, "worker_kills": kills, "postgres_immediate_stops": int(pg_stopped),
        "answers": dict(load.answers), "retries": load.retries, "gave_up": len(load.gave_up),
        "server_errors_seen": sum(n for k, n in load.answers.items() if k.split(":")[1] in ("0", "500", "502", "503")),
        "client_2xx": dict(seen_counts), "accounts": len(accounts), "inconsistent_accounts": inconsistent[:10],
        "twoxx_without_exactly_one_posting": missing_or_double[:20],
        "redemptions_in_db": redemptions, "redemption_answers_stored": len(numbers),
        "redemptions_unaccounted": redemptions - len(set(numbers)),
        "sales_with_two_earn_entries": double_earn, "stuck_clients": stuck,
        "sales_in_db": Sale.objects.filter(organization=org).count(),
    }


def r3_holds(r: dict[str, Any]) -> bool:
    return (not r["inconsistent_accounts"] and not r["twoxx_without_exactly_one_posting"]
            and r["redemptions_unaccounted"] == 0 and r["sales_with_two_earn_entries"] == 0
            and r["stuck_clients"] == 0 and sum(r["client_2xx"].values()) > 0)
