"""B1+: the B1 workload with the till's whole pricing on — price tables (B1 has them), member
discounts, 50 active POS promotions and a tier ladder (B9's) — against plain B1 in the same run.

    bench/run.py --only B1+ ...   (or the full run)

``step_promotions(on=True)`` gives every member type a 5 % member discount and creates 50 active
promotions: 30 over the workload's SKUs (so most baskets meet one or more: buy 2 get 1, 5 % from 2
units, any 2 at 10 %, any 3 for a fixed total, a 1,000 THB bill-wide 3 % off), 20 over SKUs the
baskets never hold (as a shop's other promotions). ``on=False`` ends them and puts the member
discounts back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CODES = "B1P-"


def _skus(first: int, count: int, step: int = 1) -> list[str]:
    return [f"S{(first + i * step) % 400:05d}" for i in range(count)]


def specs() -> list[tuple[str, dict[str, Any], list[str]]]:
    out: list[tuple[str, dict[str, Any], list[str]]] = []
    for n in range(30):
        skus = _skus(n * 13, 12, 7)
        kind = n % 5
        if kind == 0:
            out.append(("qty_free", {"bands": [{"from": 2, "value": 1}]}, skus))
        elif kind == 1:
            out.append(("qty_percent", {"bands": [{"from": 2, "value": "5"}]}, skus))
        elif kind == 2:
            out.append(("group_percent", {"quantity": 2, "percent": "10"}, skus))
        elif kind == 3:
            out.append(("group_fixed_total", {"quantity": 3, "total": "150.00"}, skus))
        else:
            out.append(("value_discount", {"threshold": "1000.00", "percent": "3", "scope": "bill"}, skus))
    for n in range(20):
        out.append(("qty_free", {"bands": [{"from": 2, "value": 1}]}, [f"X{n:03d}{i}" for i in range(5)]))
    return out


def step_promotions(on: bool) -> dict[str, Any]:
    from django.db.models import F

    from bench.tasks import _org
    from sasom.members.models import MemberType
    from sasom.promotions.models import Promotion, PromotionSettings

    org = _org()
    if on:
        # A second run on the same cluster finds the promotions of the first, with uses that a
        # promotion's deletion protects: each is made active again as specified, the missing made.
        existing = {p.code: p for p in Promotion.objects.filter(organization=org, code__startswith=CODES)}
        made, kept = [], []
        for n, (kind, params, skus) in enumerate(specs()):
            fields = {"name": f"B1+ {kind} {n}", "kind": kind, "params": params, "status": "active",
                      "item_skus": skus, "priority": 100 + n, "starts_at": None, "ends_at": None}
            promotion = existing.get(f"{CODES}{n:02d}")
            if promotion is None:
                made.append(Promotion(organization=org, code=f"{CODES}{n:02d}", **fields))
            else:
                for name, value in fields.items():
                    setattr(promotion, name, value)
                kept.append(promotion)
        Promotion.objects.bulk_create(made)
        if kept:
            Promotion.objects.bulk_update(kept, [*fields])
        MemberType.objects.filter(organization=org).update(discount_percent=Decimal("5"))
    else:
        Promotion.objects.filter(organization=org, code__startswith=CODES).update(status="ended")
        MemberType.objects.filter(organization=org).update(discount_percent=Decimal("0"))
    settings, _ = PromotionSettings.objects.get_or_create(organization=org)
    PromotionSettings.objects.filter(pk=settings.pk).update(version=F("version") + 1)
    return {"on": on, "active": Promotion.objects.filter(organization=org, status="active").count()}
