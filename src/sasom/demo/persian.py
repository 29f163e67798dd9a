"""The Persian demo organization (``sasom demo --locale fa``): a Tehran shop's customer club beside
the Thai demo, with Persian names, the Tehran zone and Persian as its language.

Smaller than the Thai demo (no catalogue or promotions): enough to walk the back office and the
portal right to left, with three weeks of sales (in rial) for its reports and dashboard. One point per 20,000 toman spent: amounts are in rial (IRR),
so the base rule is 200,000 rial per point; the shop shows amounts in toman (``amounts_in_toman``). The organization's calendar is set to Jalali when
the organization has a ``calendar`` field (the calendar setting, issue 18 item 3).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from sasom.core.audit import Actor, audit_record
from sasom.earning.services import rule_create
from sasom.ledger.demo import make_demo_sales
from sasom.ledger.services import account_for, points_adjust
from sasom.members.models import Card, Member, MemberType
from sasom.members.services import MEMBER_CODE_SEQUENCE, format_member_code, sequence_take
from sasom.organizations.models import Branch, Organization, Role, Staff, Terminal
from sasom.rewards.models import PointsDiscountRule, Reward

FA_CODE = "demo-fa"
FA_NAME = "باشگاه مشتریان فروشگاه سپیده"
FA_ZONE = "Asia/Tehran"
FA_BRANCHES = [
    ("T1", "شعبه ونک", "تهران، میدان ونک، خیابان ملاصدرا، پلاک ۱۲", "021-8877-1200"),
    ("T2", "شعبه تجریش", "تهران، میدان تجریش، خیابان شهرداری، پلاک ۴۵", "021-2271-4500"),
]
FA_STAFF = [
    # username, display name, role, branch codes (names apart from the Thai demo's)
    ("fa-owner", "آقای رضایی (مدیر فروشگاه)", Role.OWNER, []),
    ("fa-marketing", "خانم احمدی (بازاریابی)", Role.MARKETING, []),
    ("fa-cashier", "خانم کریمی (صندوقدار ونک)", Role.CASHIER, ["T1"]),
]
FA_TYPES = [
    # code, name, English name, earns, discount %, default
    ("GEN", "عضو عادی", "Regular member", True, 0, True),
    ("GOLD", "عضو طلایی", "Gold member", True, 5, False),
    ("STAFF", "کارکنان", "Staff", False, 10, False),
]
FA_REWARDS = [("BAG", "کیسه پارچه‌ای", 50), ("MUG", "لیوان سرامیکی", 150), ("VOUCHER", "کارت هدیه ۵۰۰ هزار ریالی", 400)]
FIRST = ["سارا", "مریم", "زهرا", "نرگس", "فاطمه", "علی", "محمد", "رضا", "حسین", "امیر", "نیلوفر", "پرستو"]
LAST = ["محمدی", "حسینی", "رضایی", "کریمی", "احمدی", "موسوی", "جعفری", "صادقی", "کاظمی", "نوری"]
FA_PRODUCTS = [
    # sku, category, brand, unit price in rial (whole rial: IRR has no minor unit)
    ("IR-RICE-10KG", "برنج", "طارم", Decimal("38000000")),
    ("IR-OIL-1.5L", "روغن", "لادن", Decimal("1650000")),
    ("IR-TEA-500G", "چای", "گلستان", Decimal("2100000")),
    ("IR-MILK-1L", "لبنیات", "کاله", Decimal("450000")),
    ("IR-BREAD", "نان", "سحر", Decimal("120000")),
    ("IR-WATER-1.5L", "نوشیدنی", "دماوند", Decimal("150000")),
    ("IR-DATES-1KG", "خشکبار", "بم", Decimal("2800000")),
    ("IR-SAFFRON-1G", "ادویه", "سحرخیز", Decimal("3500000")),
]
FA_SALESPEOPLE = ("سارا", "رضا", "مریم", "")
FA_REASONS = ("کالای معیوب", "عضو اشتباه وارد شده")
PASSWORD = "sasom-demo"


def persian_demo_exists() -> bool:
    return Organization.objects.filter(code=FA_CODE).exists()


def _organization(actor: Actor) -> Organization:
    org = Organization(code=FA_CODE, name=FA_NAME, currency="IRR", time_zone=FA_ZONE, language="fa",
                       calendar="jalali", phone_region="IR", amounts_in_toman=True)
    org.save()
    audit_record(organization_id=org.id, actor=actor, action="organization.create", obj=org, reason="demo")
    return org


def _branches(org: Organization) -> list[Branch]:
    branches = []
    for code, name, address, phone in FA_BRANCHES:
        branch = Branch.objects.create(organization=org, code=code, name=name, address=address, phone=phone)
        Terminal.objects.create(organization=org, branch=branch, code=f"{code}-POS", name="صندوق ۱",
                                kind=Terminal.Kind.POS)
        branches.append(branch)
    return branches


def _staff(org: Organization, branches: list[Branch]) -> None:
    from sasom.demo.build import DemoError  # the Thai demo's module imports this one

    user_model = get_user_model()
    taken = user_model.objects.filter(username__in=[u for u, *_ in FA_STAFF]).values_list("username", flat=True)
    if taken:
        raise DemoError(f"usernames already used outside the demo: {', '.join(sorted(taken))}")
    hashed = make_password(PASSWORD)
    by_code = {b.code: b for b in branches}
    for username, display_name, role, codes in FA_STAFF:
        user = user_model.objects.create(username=username, first_name=display_name, password=hashed)
        staff = Staff.objects.create(organization=org, user=user, role=role, display_name=display_name)
        staff.branches.set([by_code[c] for c in codes])


def _members(org: Organization, branches: list[Branch], *, count: int, seed: int, actor: Actor) -> int:
    rnd = random.Random(seed)
    types = {code: MemberType.objects.create(organization=org, code=code, name=name, name_en=name_en,
                                             can_earn=earns, discount_percent=discount, is_default=default,
                                             sort_order=i)
             for i, (code, name, name_en, earns, discount, default) in enumerate(FA_TYPES)}
    today = dt.date.today()
    first_seq = sequence_take(organization_id=org.pk, name=MEMBER_CODE_SEQUENCE, count=count) if count else 0
    for i in range(count):
        joined = today - dt.timedelta(days=rnd.randrange(0, 3 * 365))
        kind = rnd.choices(["GEN", "GOLD", "STAFF"], [85, 10, 5])[0]
        member = Member.objects.create(
            organization=org, code=format_member_code(org.member_code_pattern, seq=first_seq + i, on=joined,
                                                      branch=None),
            member_type=types[kind], phone=f"+98912{1_000_000 + i * 7919 % 9_000_000:07d}",
            first_name=rnd.choice(FIRST), last_name=rnd.choice(LAST), language="fa",
            birth_on=dt.date(rnd.randrange(1960, 2005), rnd.randrange(1, 13), rnd.randrange(1, 29)),
            home_branch=rnd.choice(branches), marketing_consent=rnd.random() < 0.7, joined_on=joined)
        Card.objects.create(organization=org, member=member, number=f"98{member.pk:010d}", issued_on=joined)
        if types[kind].can_earn:
            points_adjust(account=account_for(member), points=rnd.randrange(20, 600), reason="مانده باشگاه قبلی",
                          actor=actor)
    return count


def persian_demo_build(*, members: int, seed: int, out: Callable[[str], None]) -> bool:
    """Build the Persian demo; False when it already existed (and was left as it was)."""
    if persian_demo_exists():
        out(f"The Persian demo organization “{FA_NAME}” already exists; nothing changed (use --reset).")
        out(persian_demo_logins_text())
        return False
    actor = Actor.system("demo")
    with transaction.atomic():
        org = _organization(actor)
        branches = _branches(org)
        _staff(org, branches)
        made = _members(org, branches, count=min(members, 300), seed=seed, actor=actor)
        rule_create(organization_id=org.id, actor=actor, code="BASE", name="هر ۲۰٬۰۰۰ تومان خرید = ۱ امتیاز",
                    kind="base", params={"per_amount": "200000", "points": 1})
        for code, name, cost in FA_REWARDS:
            Reward.objects.create(organization=org, code=code, name=name, points_cost=cost)
        # a point pays 1,000 toman of a bill (10,000 rial): 5 % back on 20,000 toman
        PointsDiscountRule.objects.create(organization=org, points_per_unit=1, per_amount=Decimal("10000"))
        sales = make_demo_sales(org, days=21, seed=seed, per_day=8, products=FA_PRODUCTS,
                                salespeople=FA_SALESPEOPLE, reasons=FA_REASONS)
    out(f"  ✓ {FA_NAME}: {len(branches)} branches, {len(FA_STAFF)} staff, {made} members, "
        f"{len(FA_REWARDS)} rewards, {sales} sales of the last three weeks ({FA_ZONE}, language fa)")
    out(persian_demo_logins_text())
    return True


def persian_demo_logins_text() -> str:
    lines = ["", f"Persian demo logins (password {PASSWORD}): " + ", ".join(u for u, *_ in FA_STAFF)]
    member = Member.objects.filter(organization__code=FA_CODE).order_by("id").only("code", "phone").first()
    if member is not None:
        lines.append(f"Persian member portal: /m/{FA_CODE}/  (demo member {member.code}, phone {member.phone})")
    return "\n".join(lines)
