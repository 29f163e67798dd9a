"""R7: tenancy and signing over HTTP, and login throttling."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter
from decimal import Decimal
from typing import Any

import requests

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.services import sale_post
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, reward_redeem

from .http import Client
from .shop import Shop, member_add, sale_body

REFUSED = {401, 403, 404}
SYSTEM = Actor.system("battery")


def victim_data(shop: Shop) -> dict[str, str]:
    """In ``shop``: a member with a phone, points, a sale at branch 1, a redemption, a coupon."""
    m = member_add(shop, "VICTIM-1", points=500, phone="+66891234567")
    term = shop.terminals[0]
    basket = engine.Basket(occurred_at=dt.datetime.now(dt.UTC), lines=(engine.BasketLine(
        line_no=1, sku="X", quantity=Decimal(1), unit_price=Decimal("300")),))
    sale_post(organization=shop.organization, branch=term.branch, terminal=term, receipt_id="V-1",
              basket=basket, member=m, actor=SYSTEM)
    from sasom.rewards.models import Reward

    redemption = reward_redeem(member=m, reward=Reward.objects.get(organization=shop.organization, code="R7"),
                               branch=term.branch, actor=SYSTEM)
    template = CouponTemplate.objects.create(organization=shop.organization, code="C50", name="คูปอง 50 บาท",
                                             kind="cash", value=Decimal("50"), points_cost=10, validity_days=30)
    coupon = coupon_issue(member=m, template=template, actor=SYSTEM)
    return {"member": m.code, "phone": m.phone or "", "receipt": "V-1", "branch": term.branch.code,
            "terminal": term.code, "redemption": redemption.number, "coupon": coupon.code}


def _attacks(v: dict[str, str], own_branch: str) -> list[tuple[str, str, Any]]:
    sale_q = f"?branch={v['branch']}&terminal={v['terminal']}"
    member = {"code": v["member"]}
    return [
        ("GET", f"/api/v1/members/{v['member']}", None),
        ("GET", f"/api/v1/members/{v['member']}/balance", None),
        ("GET", f"/api/v1/members/{v['member']}/entries", None),
        ("GET", f"/api/v1/members/lookup?phone={v['phone'].replace('+', '%2B')}", None),
        ("PATCH", f"/api/v1/members/{v['member']}", {"first_name": "hacked"}),
        ("GET", f"/api/v1/coupons/{v['coupon']}", None),
        ("POST", f"/api/v1/coupons/{v['coupon']}/use",
         {"member": member, "bill_amount": "100.00", "receipt_id": "X-" + secrets.token_hex(4)}),
        ("GET", f"/api/v1/redemptions/{v['redemption']}", None),
        ("POST", f"/api/v1/redemptions/{v['redemption']}/cancel", {"reason": "x"}),
        ("POST", "/api/v1/redemptions", {"member": member, "reward": "R7"}),
        ("GET", f"/api/v1/sales/{v['receipt']}{sale_q}", None),
        ("POST", f"/api/v1/sales/{v['receipt']}/void", {"reason": "x", "branch": v["branch"], "terminal": v["terminal"]}),
        ("POST", "/api/v1/sales", sale_body("X-" + secrets.token_hex(4), member=v["member"])),
    ]


BRANCH_OWNED = {"/api/v1/sales/", "/api/v1/redemptions/"}


def r7_cross_tenant(base_url: str, victim: dict[str, str], *, other_org_key: str, other_branch_key: str,
                    requests_total: int = 1000, only: str | None = None) -> dict[str, Any]:
    """``requests_total`` requests for the victim's data: half by a key of another organization
    (everything), half by a terminal key of another branch of the same organization (what belongs
    to a branch: its sales and redemption slips; members and their points are shared by every
    branch of a chain, so those are not an attack)."""
    results: dict[str, Counter[int]] = {"other_organization": Counter(), "other_branch": Counter()}
    leaks: list[str] = []
    org_attacks = _attacks(victim, "")
    branch_attacks = [a for a in _attacks(victim, "") if any(a[1].startswith(p) for p in BRANCH_OWNED)
                      and a[1] != "/api/v1/redemptions"]
    if only:  # one kind of request, e.g. "other_branch GET /api/v1/redemptions/"
        kind_only, method_only, path_only = only.split(" ", 2)
        org_attacks = [a for a in org_attacks if (a[0], a[1][:len(path_only)]) == (method_only, path_only)]
        branch_attacks = [a for a in branch_attacks if (a[0], a[1][:len(path_only)]) == (method_only, path_only)]
    for kind, key, attacks in (("other_organization", other_org_key, org_attacks),
                               ("other_branch", other_branch_key, branch_attacks)):
        if not attacks or (only and kind != kind_only):
            continue
        client = Client(base_url, key)
        for i in range(requests_total // 2):
            method, path, body = attacks[i % len(attacks)]
            a = client.call(method, path, body)
            results[kind][a.status] += 1
            if a.status not in REFUSED:
                leaks.append(f"{kind} {method} {path} -> {a.status} {a.body[:120]!r}")
        client.close()
    total = sum(sum(c.values()) for c in results.values())
    refused = sum(n for c in results.values() for s, n in c.items() if s in REFUSED)
    return {"requests": total, "refused": refused, "statuses": {k: dict(v) for k, v in results.items()},
            "leaks": leaks[:20]}


def r7_signing(base_url: str, signed_key: str, member_code: str, *, skewed: int = 100, replays: int = 100) -> dict[str, Any]:
    """A key that must sign: requests with the clock off by more than 300 s, and replayed nonces."""
    client = Client(base_url, signed_key)
    path = f"/api/v1/members/{member_code}/balance"
    baseline = client.signed("GET", path)
    skew_status: Counter[int] = Counter()
    for i in range(skewed):
        off = (301 + i * 37) * (1 if i % 2 else -1)
        skew_status[client.signed("GET", path, skew=off).status] += 1
    replay_status: Counter[int] = Counter()
    first_status: Counter[int] = Counter()
    for _ in range(replays):
        nonce = secrets.token_hex(10)
        first_status[client.signed("GET", path, nonce=nonce).status] += 1
        replay_status[client.signed("GET", path, nonce=nonce).status] += 1
    unsigned = client.call("GET", path).status
    client.close()
    return {
        "baseline_status": baseline.status, "unsigned_status": unsigned,
        "skewed": skewed, "skewed_refused": sum(n for s, n in skew_status.items() if s in REFUSED),
        "skew_statuses": dict(skew_status), "first_use_statuses": dict(first_status),
        "replays": replays, "replays_refused": sum(n for s, n in replay_status.items() if s in REFUSED),
        "replay_statuses": dict(replay_status),
    }


def r7_login_throttle(base_url: str, username: str, password: str, *, attempts: int = 101) -> dict[str, Any]:
    """``attempts`` failed logins for one account within the hour, then the right password."""
    s = requests.Session()
    statuses: Counter[int] = Counter()
    login = base_url.rstrip("/") + "/login/"

    def post(pw: str) -> requests.Response:
        page = s.get(login, timeout=30)
        token = s.cookies.get("csrftoken") or ""
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return s.post(login, data={"username": username, "password": pw,
                                   "csrfmiddlewaretoken": m.group(1) if m else token},
                      headers={"Referer": login}, allow_redirects=False, timeout=30)

    first_locked = None
    for i in range(attempts):
        r = post(f"wrong-{i}")
        statuses[r.status_code] += 1
        if first_locked is None and r.status_code in (403, 429):
            first_locked = i + 1
    right = post(password)
    s.close()
    return {"attempts": attempts, "statuses": dict(statuses), "locked_from_attempt": first_locked,
            "right_password_after_status": right.status_code,
            "right_password_refused": right.status_code in (403, 429)}
