"""Demo data: member types with Thai names and many plausible Thai members, fast.

``make_demo_members`` writes 100k members in batches without a query per row: codes come from
one reserved block of the organization's sequence, phones from a seeded counter.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence as Seq
from decimal import Decimal

from django.db import transaction

from sasom.organizations.models import Branch, Organization

from .models import Card, Member, MemberType
from .services import MEMBER_CODE_SEQUENCE, format_member_code, sequence_take
from .validation import add_months

DEMO_TYPES = [
    # code, Thai name, English name, earns, discount, price table, birthday %, scope, months, stop, default
    ("VIP", "วีไอพี", "VIP", True, Decimal("10"), "VIP", Decimal("20"), MemberType.BirthdayScope.MONTH, 24, True, False),
    ("GEN", "สมาชิกทั่วไป", "General", True, Decimal("0"), "", Decimal("5"), MemberType.BirthdayScope.DAY, 12, True, True),
    ("EXEC", "ผู้บริหาร", "Executive staff", False, Decimal("20"), "STAFF", Decimal("0"), MemberType.BirthdayScope.DAY, None, False, False),
    ("STAFF", "พนักงาน", "Staff", False, Decimal("5"), "STAFF", Decimal("0"), MemberType.BirthdayScope.DAY, None, False, False),
]
_PROVINCES = [
    ("กรุงเทพมหานคร", "10110"), ("นนทบุรี", "11000"), ("ปทุมธานี", "12000"), ("สมุทรปราการ", "10270"),
    ("เชียงใหม่", "50000"), ("ขอนแก่น", "40000"), ("ชลบุรี", "20000"), ("ภูเก็ต", "83000"), ("นครราชสีมา", "30000"),
    ("สงขลา", "90110"),
]
_TAGS = ["กาแฟ", "ขนม", "เครื่องสำอาง", "อาหารสด", "ของใช้เด็ก", "สัตว์เลี้ยง", "เครื่องดื่ม", "สุขภาพ"]
_OCCUPATIONS = ["พนักงานบริษัท", "ค้าขาย", "รับราชการ", "นักศึกษา", "เกษตรกร", "แม่บ้าน", "ธุรกิจส่วนตัว", ""]


def make_demo_member_types(org: Organization) -> dict[str, MemberType]:
    out: dict[str, MemberType] = {}
    for i, (code, name, name_en, earns, disc, _table, bday, scope, months, stop, default) in enumerate(DEMO_TYPES):
        out[code], _ = MemberType.objects.update_or_create(
            organization=org, code=code,
            defaults={
                "name": name, "name_en": name_en, "can_earn": earns, "discount_percent": disc,
                "birthday_discount_percent": bday, "birthday_scope": scope, "card_validity_months": months,
                "benefits_stop_on_expiry": stop, "is_default": default, "sort_order": i,
            },
        )
    return out


def make_demo_members(
    org: Organization,
    *,
    count: int,
    seed: int = 1,
    branches: Seq[Branch] = (),
    member_types: dict[str, MemberType] | None = None,
    today: dt.date | None = None,
    batch_size: int = 5000,
) -> int:
    """Create ``count`` members (one active card each); the same ``seed`` gives the same people."""
    from faker import Faker

    if count <= 0:
        return 0
    member_types = member_types or make_demo_member_types(org)
    today = today or dt.date.today()
    fake = Faker("th_TH")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    # Pools of names from Faker once; combining them per row is much faster than Faker per row.
    first_f = [fake.first_name_female() for _ in range(300)]
    first_m = [fake.first_name_male() for _ in range(300)]
    last = [fake.last_name() for _ in range(600)]
    titles_f, titles_m = ["นางสาว", "นาง"], ["นาย"]
    weights = {"GEN": 80, "VIP": 12, "EXEC": 2, "STAFF": 6}
    type_codes = [c for c in weights if c in member_types]
    type_weights = [weights[c] for c in type_codes]
    with transaction.atomic():
        first_seq = sequence_take(organization_id=org.pk, name=MEMBER_CODE_SEQUENCE, count=count)
        existing_phones = set(Member.objects.filter(organization=org, phone__isnull=False).values_list("phone", flat=True))
        existing_cards = set(Card.objects.filter(organization=org).values_list("number", flat=True))
        phone_base = rnd.randrange(1_000_000, 8_000_000)
        phone_step = 7919  # a prime: consecutive members get scattered-looking numbers
        made = 0
        for start in range(0, count, batch_size):
            members: list[Member] = []
            for i in range(start, min(start + batch_size, count)):
                female = rnd.random() < 0.58
                mt = member_types[rnd.choices(type_codes, type_weights)[0]]
                joined = today - dt.timedelta(days=rnd.randrange(0, 5 * 365))
                months = mt.card_validity_months
                expires = add_months(joined, months) if months else None
                if months and expires and expires < today and rnd.random() < 0.6:
                    expires = add_months(expires, months)  # renewed once
                status = Member.Status.EXPIRED if expires and expires < today else Member.Status.ACTIVE
                if rnd.random() < 0.01:
                    status = Member.Status.SUSPENDED
                prefix = rnd.choice(("6", "8", "9"))
                phone = None
                for _try in range(5):
                    n = (phone_base + (i + _try * count) * phone_step) % 100_000_000
                    candidate = f"+66{prefix}{n:08d}"
                    if candidate not in existing_phones:
                        phone = candidate
                        existing_phones.add(candidate)
                        break
                province, postcode = rnd.choice(_PROVINCES)
                code = format_member_code(org.member_code_pattern, seq=first_seq + i, on=joined,
                                          branch=None)
                members.append(Member(
                    organization=org, code=code, member_type=mt, status=status, phone=phone,
                    title=rnd.choice(titles_f if female else titles_m),
                    first_name=rnd.choice(first_f if female else first_m), last_name=rnd.choice(last),
                    gender=Member.Gender.FEMALE if female else Member.Gender.MALE,
                    birth_on=dt.date(rnd.randrange(1955, 2006), rnd.randrange(1, 13), rnd.randrange(1, 29)),
                    marital_status=rnd.choice(["single", "married", ""]), occupation=rnd.choice(_OCCUPATIONS),
                    province=province, postcode=postcode, district=f"เขต{rnd.randrange(1, 30)}" if province == "กรุงเทพมหานคร" else "",
                    tags=rnd.sample(_TAGS, rnd.randrange(0, 3)),
                    home_branch=rnd.choice(branches) if branches else None,
                    marketing_consent=rnd.random() < 0.7, joined_on=joined, expires_on=expires,
                ))
            Member.objects.bulk_create(members, batch_size=1000)
            if members[0].pk is None:  # databases that do not return ids from bulk inserts
                by_code = dict(Member.objects.filter(organization=org, code__in=[m.code for m in members]).values_list("code", "pk"))
                for m in members:
                    m.pk = by_code[m.code]
            cards = []
            for m in members:
                number = f"8{m.pk:011d}"
                if number in existing_cards:
                    continue
                cards.append(Card(organization=org, member_id=m.pk, number=number, issued_on=m.joined_on))
            Card.objects.bulk_create(cards, batch_size=2000)
            made += len(members)
    return made
