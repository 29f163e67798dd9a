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


# --- a member logged into the portal ------------------------------------------------------------

PORTAL_LOGIN = re.compile(r"^(/login/|/m/[\w-]+/login/)")


def portal_attacker(shop: Shop, victim: dict[str, str], *, code: str = "ATTACKER-1",
                    phone: str = "+66891230000") -> dict[str, str]:
    """In ``shop``: a member (the attacker) with a portal session, and the ids the victim's URLs carry."""
    from sasom.members.models import Member
    from sasom.portal.session import portal_session_create
    from sasom.rewards.models import Coupon

    attacker = member_add(shop, code, points=50, phone=phone)
    org = shop.organization
    return {
        "session": portal_session_create(attacker), "org": org.code, "attacker": attacker.code,
        "victim_pk": str(Member.objects.get(organization=org, code=victim["member"]).pk),
        "victim_coupon_pk": str(Coupon.objects.get(organization=org, code=victim["coupon"]).pk),
    }


def _member_attacks(a: dict[str, str], v: dict[str, str], other_org: str, other_coupon_pk: str) -> list[tuple[str, str]]:
    org, pk, cpk, code = a["org"], a["victim_pk"], a["victim_coupon_pk"], v["member"]
    return [
        # the portal of the attacker's own organization, with other members' object ids
        ("GET", f"/m/{org}/coupons/{cpk}/"),
        ("GET", f"/m/{org}/coupons/{other_coupon_pk}/"),
        # the back office, with the victim's ids
        ("GET", f"/members/{pk}/"),
        ("GET", f"/members/{pk}/export/?format=json"),
        ("GET", f"/points/members/{pk}/"),
        ("GET", f"/rewards/coupon/{cpk}/"),
        ("POST", f"/members/{pk}/consent/"),
        # the API, with the portal's session cookie instead of a key
        ("GET", f"/api/v1/members/{code}"),
        ("GET", f"/api/v1/members/{code}/balance"),
        ("GET", f"/api/v1/members/{code}/entries"),
        ("GET", f"/api/v1/coupons/{v['coupon']}"),
        # another organization's portal, with this session
        ("GET", f"/m/{other_org}/"),
        ("GET", f"/m/{other_org}/points/"),
        ("GET", f"/m/{other_org}/me/export/?format=json"),
        ("GET", f"/m/{other_org}/coupons/{other_coupon_pk}/"),
        ("POST", f"/m/{other_org}/me/"),
    ]


def _refused(response: requests.Response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and bool(PORTAL_LOGIN.match(response.headers.get("Location", "")))


def r7_member(base_url: str, attacker: dict[str, str], victim: dict[str, str], *, other_org: str,
              other_coupon_pk: str, requests_total: int = 1000) -> dict[str, Any]:
    """``requests_total`` requests by a logged-in portal member for other members' data.

    Refused: 401/403/404, or a redirect to a login page (the staff login for the back office, the
    other organization's portal login for its pages). The session is proved alive before and after
    (its own home page answers 200), and its own data export must carry nobody else's code.
    """
    from django.conf import settings

    base = base_url.rstrip("/")
    s = requests.Session()
    s.cookies.set(settings.SESSION_COOKIE_NAME, attacker["session"])
    home = f"{base}/m/{attacker['org']}/"
    alive_before = s.get(home, allow_redirects=False, timeout=30).status_code
    token = s.cookies.get(settings.CSRF_COOKIE_NAME) or ""
    statuses: Counter[str] = Counter()
    leaks: list[str] = []
    attacks = _member_attacks(attacker, victim, other_org, other_coupon_pk)
    for i in range(requests_total):
        method, path = attacks[i % len(attacks)]
        if method == "POST":
            r = s.post(base + path, data={"purpose": "marketing", "granted": "1", "member": attacker["victim_pk"],
                                          "csrfmiddlewaretoken": token},
                       headers={"X-CSRFToken": token, "Referer": home}, allow_redirects=False, timeout=30)
        else:
            r = s.get(base + path, allow_redirects=False, timeout=30)
        statuses[f"{r.status_code}" + (" login" if r.status_code == 302 and _refused(r) else "")] += 1
        if not _refused(r):
            leaks.append(f"{method} {path} -> {r.status_code} {r.text[:120]!r}")
    own = s.get(f"{home}me/export/?format=json&member={attacker['victim_pk']}&code={victim['member']}",
                allow_redirects=False, timeout=30)
    own_export_clean = (own.status_code == 200 and f'"{attacker["attacker"]}"' in own.text
                        and victim["member"] not in own.text and victim["phone"] not in own.text)
    alive_after = s.get(home, allow_redirects=False, timeout=30).status_code
    s.close()
    refused = requests_total - len(leaks)
    return {"requests": requests_total, "refused": refused, "statuses": dict(statuses), "leaks": leaks[:20],
            "session_alive": alive_before == 200 and alive_after == 200, "own_export_clean": own_export_clean}
