"""The demo organization: a Thai mini-mart chain with staff of every role and plausible members.

``sasom demo`` runs :func:`demo_build`. The demo is a list of named sections; a later feature
(earning rules, rewards, API keys) adds its own by appending ``(name, function)`` to
:data:`DEMO_SECTIONS`. Each function receives the :class:`DemoContext`, may read what earlier
sections made (``ctx.branches``, ``ctx.staff``, ``ctx.member_types``...) or store things for later
ones in ``ctx.extra``, and returns a one-line summary.

Building is all-or-nothing (one transaction) and idempotent: when the demo organization exists,
a second run changes nothing and prints the logins again; ``reset=True`` wipes it and rebuilds.
The same seed gives the same demo.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import translation

from sasom.catalog.demo import make_demo_catalog
from sasom.catalog.models import Product
from sasom.core.audit import Actor, audit_record
from sasom.demo.pricing import make_demo_pricing
from sasom.earning.demo import make_demo_rules
from sasom.earning.models import Campaign, EarnRule
from sasom.integrations.auth import hash_secret
from sasom.integrations.models import ApiKey
from sasom.ledger.demo import make_demo_sales
from sasom.ledger.services.tiering import tiers_reevaluate
from sasom.members.demo import make_demo_member_types, make_demo_members
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Role, Staff, Terminal
from sasom.promotions.demo import make_demo_promotions
from sasom.rewards.demo import make_demo_rewards
from sasom.tiers.services import TierIn, ladder_configure

DEMO_CODE = "demo"
DEMO_NAME = "มินิมาร์ทสะสม"
# Deliberately simple: the demo runs on a laptop. Stored as a hash, bypassing the validators.
DEMO_PASSWORD = "sasom-demo"


def demo_url() -> str:
    """The address ``sasom serve`` binds (``SASOM_BIND``, as the server reads it)."""
    return f"http://{os.environ.get('SASOM_BIND') or '127.0.0.1:8000'}/"

DEMO_BRANCHES = [
    ("B1", "สาขาสุขุมวิท", "123 ถนนสุขุมวิท แขวงคลองเตยเหนือ เขตวัฒนา กรุงเทพมหานคร 10110", "02-111-2222"),
    ("B2", "สาขาสีลม", "45 ถนนสีลม แขวงสุริยวงศ์ เขตบางรัก กรุงเทพมหานคร 10500", "02-333-4444"),
    ("B3", "สาขาเชียงใหม่", "9 ถนนนิมมานเหมินท์ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ เชียงใหม่ 50200", "053-555-666"),
]
DEMO_TERMINALS = [
    # suffix, name, kind
    ("T1", "เครื่อง POS 1", Terminal.Kind.POS),
    ("T2", "เคาน์เตอร์บริการ", Terminal.Kind.COUNTER),
]
DEMO_STAFF = [
    # username, display name, role, branch codes
    ("owner", "คุณวิชัย (เจ้าของ)", Role.OWNER, []),
    ("admin", "คุณสุนีย์ (ผู้ดูแลระบบ)", Role.ADMIN, []),
    ("marketing", "คุณปิยะ (การตลาด)", Role.MARKETING, []),
    ("manager1", "คุณอรุณ (ผู้จัดการสาขาสุขุมวิท)", Role.BRANCH_MANAGER, ["B1"]),
    ("cashier1", "น้องนิด (แคชเชียร์สุขุมวิท)", Role.CASHIER, ["B1"]),
    ("counter1", "น้องแก้ว (เคาน์เตอร์บริการสีลม)", Role.SERVICE_COUNTER, ["B2"]),
    ("auditor", "คุณประเสริฐ (ผู้ตรวจสอบ)", Role.AUDITOR, []),
]


class DemoError(Exception):
    """The demo cannot be built as asked (e.g. a demo username belongs to someone else)."""


@dataclass
class DemoContext:
    members: int
    seed: int
    actor: Actor
    random: random.Random
    organization: Organization | None = None
    branches: list[Branch] = field(default_factory=list)
    terminals: list[Terminal] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    member_types: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def org(self) -> Organization:
        assert self.organization is not None, "the organization section runs first"
        return self.organization


# --- sections ---------------------------------------------------------------------------------


def section_organization(ctx: DemoContext) -> str:
    org = Organization.objects.create(code=DEMO_CODE, name=DEMO_NAME, currency="THB", time_zone="Asia/Bangkok")
    ctx.organization = org
    audit_record(organization_id=org.id, actor=ctx.actor, action="organization.create", obj=org, reason="demo")
    for code, name, address, phone in DEMO_BRANCHES:
        branch = Branch.objects.create(organization=org, code=code, name=name, address=address, phone=phone)
        ctx.branches.append(branch)
        for suffix, tname, kind in DEMO_TERMINALS:
            ctx.terminals.append(
                Terminal.objects.create(
                    organization=org, branch=branch, code=f"{code}-{suffix}", name=tname, kind=kind
                )
            )
    return f"{org.name}: {len(ctx.branches)} branches, {len(ctx.terminals)} terminals"


def section_staff(ctx: DemoContext) -> str:
    user_model = get_user_model()
    taken = set(
        user_model.objects.filter(username__in=[u for u, *_ in DEMO_STAFF]).values_list("username", flat=True)
    )
    if taken:
        raise DemoError(
            f"usernames already used outside the demo: {', '.join(sorted(taken))}; "
            "rename those accounts or use another database"
        )
    by_code = {b.code: b for b in ctx.branches}
    # One hash for every demo account (hashing is slow on purpose); this bypasses the password
    # validators on purpose too: the demo password is weak and says so when printed.
    hashed = make_password(DEMO_PASSWORD)
    for username, display_name, role, branch_codes in DEMO_STAFF:
        user = user_model(username=username, first_name=display_name[:150], password=hashed)
        user.save()
        staff = Staff.objects.create(organization=ctx.org, user=user, role=role, display_name=display_name)
        staff.branches.set([by_code[c] for c in branch_codes])
        ctx.staff.append(staff)
    return f"{len(ctx.staff)} staff accounts, one per role"


def section_member_types(ctx: DemoContext) -> str:
    ctx.member_types = make_demo_member_types(ctx.org)
    return f"{len(ctx.member_types)} member types: " + ", ".join(str(t) for t in ctx.member_types.values())


def section_members(ctx: DemoContext) -> str:
    made = make_demo_members(
        ctx.org, count=ctx.members, seed=ctx.seed, branches=ctx.branches, member_types=ctx.member_types
    )
    return f"{made:,} members with cards"


def section_catalog(ctx: DemoContext) -> str:
    make_demo_catalog(ctx.org)
    return f"{Product.objects.filter(organization=ctx.org).count()} products on the shelves"


def section_earning_rules(ctx: DemoContext) -> str:
    make_demo_rules(ctx.org, ctx.member_types)
    rules = EarnRule.objects.filter(organization=ctx.org).count()
    campaigns = Campaign.objects.filter(organization=ctx.org).count()
    return f"{rules} earning rules, {campaigns} campaign(s)"


def section_rewards(ctx: DemoContext) -> str:
    made = make_demo_rewards(ctx.org, ctx.member_types.values())
    return f"{len(made)} rewards in the catalog"


def section_pricing(ctx: DemoContext) -> str:
    prices = make_demo_pricing(ctx.org)
    return f"{prices} table prices (VIP, a branch's own), Sasom's prices and member discounts on"


def section_promotions(ctx: DemoContext) -> str:
    """After the demo's sales, so those stay as they were; the till applies them from now on."""
    made = make_demo_promotions(ctx.org)
    return f"{len(made)} promotions at the till: " + ", ".join(p.name for p in made)


def section_sales(ctx: DemoContext) -> str:
    posted = make_demo_sales(ctx.org, days=21, seed=ctx.seed)
    return f"{posted} sales of the last three weeks, with their points"


DEMO_TIERS = [
    TierIn("SILVER", "Silver · ซิลเวอร์", 100, card_color="#94a3b8"),
    TierIn("GOLD", "Gold · โกลด์", 300, card_color="#d4a017", discount_percent=Decimal("2"),
           birthday_discount_percent=Decimal("3")),
    TierIn("PLATINUM", "Platinum · แพลทินัม", 700, card_color="#334155", discount_percent=Decimal("5"),
           birthday_discount_percent=Decimal("5")),
]


def section_tiers(ctx: DemoContext) -> str:
    """A ladder on points earned in 12 months with quarterly cut-offs, then "re-evaluate all
    members now" so the sales already made place the members (later sales upgrade them)."""
    ladder_configure(organization_id=ctx.org.pk, actor=ctx.actor, name="Member tiers · ระดับสมาชิก",
                     window_months=12, cutoff_frequency="quarterly", tiers=DEMO_TIERS)
    moves = tiers_reevaluate(organization_id=ctx.org.pk, actor=ctx.actor, apply=True)
    return f"{len(DEMO_TIERS)} tiers, {sum(moves.values())} members placed"


def demo_api_key(label: str) -> tuple[str, str]:
    """(prefix, secret) of a demo key, derived from the server's secret and ``label``, so the demo
    can print its keys again on a later run. Real keys are random and shown once."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"sasom-demo-key:{label}".encode(), hashlib.sha256).hexdigest()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    prefix = "".join(alphabet[int(digest[i : i + 2], 16) % len(alphabet)] for i in range(0, 20, 2))
    return prefix, digest[20:60]


def section_api_keys(ctx: DemoContext) -> str:
    rows: list[tuple[str, Branch | None, Terminal | None, bool]] = [
        (f"POS {t.code}", t.branch, t, False) for t in ctx.terminals
    ]
    rows.append(("ERP head office", None, None, True))
    for label, branch, terminal, can_manage in rows:
        prefix, secret = demo_api_key(label)
        ApiKey.objects.create(
            organization=ctx.org, label=label, prefix=prefix, secret_hash=hash_secret(secret), branch=branch,
            terminal=terminal, can_manage=can_manage, created_by="demo",
        )
    return f"{len(rows)} API keys (one per terminal, one for the ERP)"


DemoSection = Callable[[DemoContext], str]

DEMO_SECTIONS: list[tuple[str, DemoSection]] = [
    ("organization", section_organization),
    ("staff", section_staff),
    ("member types", section_member_types),
    ("members", section_members),
    ("catalog", section_catalog),
    ("earning rules", section_earning_rules),
    ("rewards", section_rewards),
    ("prices", section_pricing),
    ("sales", section_sales),
    ("promotions", section_promotions),
    ("tiers", section_tiers),
    ("api keys", section_api_keys),
]


# --- build, reset, report ---------------------------------------------------------------------


def demo_exists() -> bool:
    return Organization.objects.filter(code=DEMO_CODE).exists()


def demo_build(
    *, members: int = 500, seed: int = 42, reset: bool = False, out: Callable[[str], None] = print
) -> bool:
    """Build the demo; returns False when it already existed (and was left as it was)."""
    if reset and demo_exists():
        out("Removing the existing demo organization…")
        demo_wipe()
    if demo_exists():
        out(f"The demo organization “{DEMO_NAME}” already exists; nothing changed (use --reset to rebuild it).")
        out(demo_logins_text())
        return False
    ctx = DemoContext(members=members, seed=seed, actor=Actor.system("demo"), random=random.Random(seed))
    with transaction.atomic():
        for name, build in DEMO_SECTIONS:
            started = time.monotonic()
            summary = build(ctx)
            out(f"  ✓ {name:<14} {summary}  ({time.monotonic() - started:.1f} s)")
    out(demo_logins_text())
    return True


def _tenant_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        try:
            fk = model._meta.get_field("organization")
        except Exception:  # noqa: BLE001 - the model has no such field
            continue
        if getattr(fk, "related_model", None) is Organization:
            found.append(model)
    return found


@transaction.atomic
def demo_wipe(code: str = DEMO_CODE) -> None:
    """Delete the demo organization (``code``: the Thai one, or the Persian ``demo-fa``) and
    everything it owns, whatever apps are installed.

    The ledger protects its rows from deletion (an entry names the entry it reverses; lots name
    their entries), which is right for a shop and wrong for a demo reset; so the rows are removed
    with plain DELETE statements, and the database checks the foreign keys at commit.
    """
    org = Organization.objects.filter(code=code).first()
    if org is None:
        return
    user_ids = list(Staff.objects.filter(organization=org).values_list("user_id", flat=True))
    tenant_models = _tenant_models()
    for model in tenant_models:
        for m2m in model._meta.local_many_to_many:
            through = cast("type[models.Model]", m2m.remote_field.through)  # set once the models are loaded
            through._base_manager.filter(**{f"{m2m.m2m_field_name()}__organization": org})._raw_delete("default")
    for model in tenant_models:
        model._base_manager.filter(organization=org)._raw_delete("default")
    get_user_model().objects.filter(pk__in=user_ids).delete()
    org.delete()


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, branches) of the demo's staff, in the order of :data:`DEMO_STAFF`."""
    order = {u: i for i, (u, *_) in enumerate(DEMO_STAFF)}
    rows = []
    with translation.override("en"):  # Thai role names would break the column alignment
        labels = {value: str(label) for value, label in Role.choices}
    staff = Staff.objects.filter(organization__code=DEMO_CODE).select_related("user").prefetch_related("branches")
    for s in staff:
        branches = ", ".join(b.code for b in s.branches.all()) or "all"
        rows.append((s.user.username, labels.get(s.role, s.role), branches))
    return sorted(rows, key=lambda r: order.get(r[0], len(order)))


def demo_api_keys_lines() -> list[str]:
    keys = ApiKey.objects.filter(organization__code=DEMO_CODE, created_by="demo", is_active=True).order_by("id")
    if not keys:
        return []
    lines = ["", "Demo API keys (send as: Authorization: Bearer <key>):"]
    for key in keys:
        prefix, secret = demo_api_key(key.label)
        if prefix == key.prefix:
            lines.append(f"  {key.label:<18} sk_{prefix}_{secret}")
    return lines


def demo_portal_lines() -> list[str]:
    member = (Member.objects.filter(organization__code=DEMO_CODE, status=Member.Status.ACTIVE, phone__isnull=False)
              .order_by("id").only("code", "phone").first())
    if member is None:
        return []
    return ["", f"Member portal: {demo_url()}m/{DEMO_CODE}/  (demo member {member.code}, phone {member.phone};",
            "  the one-time code is printed in the terminal running 'sasom serve')"]


def demo_logins_text() -> str:
    rows = [("username", "role", "branches", "password")] + [(*r, DEMO_PASSWORD) for r in demo_logins()]
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["", "Demo logins (demo password, do not use it for real data):"]
    for i, row in enumerate(rows):
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines += demo_api_keys_lines()
    lines += demo_portal_lines()
    url = demo_url()
    if os.environ.get("SASOM_DEMO_SERVES"):  # scripts/demo.sh starts the server right after
        lines += ["", f"The server starts now: open {url} (API docs at {url}api/v1/docs)."]
    else:
        lines += ["", f"Start the server with 'sasom serve', then open {url} (API docs at {url}api/v1/docs)."]
    return "\n".join(lines)
