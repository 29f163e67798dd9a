"""Demo sales: a few weeks of plausible Thai shop receipts posted through ``sale_post``, so the
demo shows balances, history with explanations, a return and a void."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.policy import zone
from sasom.ledger.services import sale_post, sale_return, sale_void
from sasom.members.models import Member
from sasom.organizations.models import Organization, Terminal

PRODUCTS = [
    # sku, category, brand, unit price
    ("RICE-HOMMALI-5KG", "rice", "ตราฉัตร", Decimal("245.00")),
    ("EGG-L-30", "fresh", "CP", Decimal("129.00")),
    ("FISH-SAUCE-700", "grocery", "ทิพย์รส", Decimal("38.00")),
    ("MAMA-TOMYUM-6", "grocery", "มาม่า", Decimal("36.00")),
    ("MILK-UHT-4", "dairy", "ไทย-เดนมาร์ค", Decimal("52.00")),
    ("COFFEE-3IN1-27", "beverage", "เบอร์ดี้", Decimal("119.00")),
    ("DETERGENT-2.7KG", "household", "บรีส", Decimal("189.00")),
    ("FAN-16IN", "appliance", "ฮาตาริ", Decimal("1290.00")),
    ("PORK-KG", "fresh", "", Decimal("165.00")),
    ("WATER-6L", "beverage", "สิงห์", Decimal("45.00")),
]


SALESPEOPLE = ("นิด", "หน่อย", "ต้อม", "")
REASONS = ("สินค้าชำรุด (damaged)", "คีย์ผิดสมาชิก (wrong member keyed)")  # the return's, the void's


def make_demo_sales(org: Organization, *, days: int = 21, seed: int = 1, members: Sequence[Member] | None = None,
                    per_day: int = 12, today: dt.date | None = None,
                    products: Sequence[tuple[str, str, str, Decimal]] = PRODUCTS,
                    salespeople: Sequence[str] = SALESPEOPLE, reasons: tuple[str, str] = REASONS) -> int:
    """Post ``per_day`` sales a day for ``days`` days ending yesterday; about two in three carry a
    member from ``members`` (default: the organization's first 40 earning members). Returns the
    number of sales posted. Receipt numbers are deterministic, so running twice posts nothing new.
    ``products`` (sku, category, brand, price in the shop's currency), ``salespeople`` and the
    return's and void's ``reasons`` let a demo in another language and currency use its own."""
    rng = random.Random(seed)
    tz = zone(org.time_zone)
    today = today or timezone.localdate(timezone=tz)
    terminals = list(Terminal.objects.filter(organization=org, is_active=True).select_related("branch"))
    if not terminals:
        return 0
    if members is None:
        members = list(
            Member.objects.filter(organization=org, status="active", member_type__can_earn=True)
            .select_related("member_type").order_by("pk")[:40]
        )
    actor = Actor.system("demo")
    posted = []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        for n in range(per_day):
            terminal = rng.choice(terminals)
            when = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz) + dt.timedelta(minutes=rng.randrange(0, 13 * 60))
            picks = rng.sample(list(products), rng.randint(1, 4))
            lines = tuple(
                engine.BasketLine(line_no=i, sku=sku, category=cat, brand=brand, unit_price=price,
                                  quantity=Decimal(rng.choice([1, 1, 1, 2, 3])))
                for i, (sku, cat, brand, price) in enumerate(picks, start=1)
            )
            member = rng.choice(members) if members and rng.random() < 0.67 else None
            basket = engine.Basket(occurred_at=when, lines=lines, branch_code=terminal.branch.code,
                                   terminal_code=terminal.code, salesperson=rng.choice(list(salespeople)))
            result = sale_post(organization=org, branch=terminal.branch, terminal=terminal,
                               receipt_id=f"{terminal.code}-{day:%y%m%d}-{n:03d}", basket=basket, member=member,
                               actor=actor, now=when)
            if result.created:
                posted.append(result.sale)
    member_sales = [s for s in posted if s.member_id and s.status == "posted"]
    if len(member_sales) >= 2:
        returned = member_sales[len(member_sales) // 2]
        first_line = returned.lines.order_by("line_no").first()
        assert first_line is not None  # every demo sale has lines
        sale_return(sale=returned, lines={first_line.line_no: first_line.quantity}, actor=actor,
                    return_id=f"RT-{returned.receipt_id}", reason=reasons[0])
        sale_void(sale=member_sales[-1], reason=reasons[1], actor=actor)
    return len(posted)
