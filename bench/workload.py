"""The synthetic workload shared by every benchmark: rules of mixed kinds and 10-line baskets.

Rules are spread over many categories and SKUs, as a chain's marketing team would write them,
so that a basket can match only a few of them: the engine must find those through its scope
index instead of scanning every rule.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

CATEGORIES_IN_BASKETS = [f"C{i:02d}" for i in range(20)] + ["BEAUTY", "FOOD", "DRINK"]


def rule_specs(count: int, *, member_types: tuple[str, ...] = ("GEN", "VIP")) -> list[dict[str, Any]]:
    """``count`` rule definitions (code, kind, params, scope), about: 6 bill-wide rules of every
    kind, then product rules by category (60 %), by SKU (30 %) and branch-scoped thresholds."""
    specs: list[dict[str, Any]] = [
        {"code": "BX-BASE", "kind": "base", "member_types": list(member_types),
         "params": {"per_amount": "25", "points": 1}},
        {"code": "BX-SPEND", "kind": "spend", "priority": 40, "params": {"steps": [
            {"min_amount": "2000", "mode": "multiply", "value": "2"},
            {"min_amount": "3000", "mode": "multiply", "value": "3"}]}},
        {"code": "BX-GOLDEN", "kind": "golden_minute", "priority": 30, "time_from": dt.time(12), "time_to": dt.time(13),
         "params": {"min_amount": "0", "mode": "multiply", "value": "2"}},
        {"code": "BX-BIRTH", "kind": "birthday", "priority": 20,
         "params": {"period": "month", "min_amount": "0", "mode": "multiply", "value": "2"}},
        {"code": "BX-THRESH", "kind": "threshold", "priority": 10, "params": {"min_amount": "1500", "points": 10}},
        {"code": "BX-WEEKEND", "kind": "threshold", "priority": 10, "weekdays": [5, 6],
         "params": {"min_amount": "500", "points": 5}},
    ]
    i = 0
    while len(specs) < count:
        slot = i % 10
        if slot < 6:
            specs.append({"code": f"BX-CAT{i}", "kind": "product", "priority": 50,
                          "params": {"skus": [], "brands": [], "categories": [f"C{i % 1000:02d}" if i < 20 else f"K{i}"],
                                     "mode": "multiply" if i % 2 else "extra_times", "value": "2"}})
        elif slot < 9:
            specs.append({"code": f"BX-SKU{i}", "kind": "product", "priority": 45,
                          "params": {"skus": [f"S{i:05d}"], "categories": [], "brands": [],
                                     "mode": "multiply", "value": "3"}})
        else:
            specs.append({"code": f"BX-BR{i}", "kind": "threshold", "priority": 5, "branches": [("B2", "B3")[i % 2]],
                          "params": {"min_amount": "100", "points": 3}})
        i += 1
    return specs[:count]


def engine_rules(count: int, unrelated: int = 0):
    """The same definitions as engine objects (no database); ``unrelated`` more from
    :func:`unrelated_specs`."""
    from sasom.earning.params import build_rule, validate_params
    from sasom.earning.rules import Scope, When

    rules = []
    for n, spec in enumerate(rule_specs(count) + unrelated_specs(unrelated), start=1):
        scope = Scope(member_types=frozenset(spec.get("member_types", [])), branches=frozenset(spec.get("branches", [])))
        when = When(weekdays=frozenset(spec.get("weekdays", [])), time_from=spec.get("time_from"),
                    time_to=spec.get("time_to"))
        rules.append(build_rule(
            kind=spec["kind"], id=n, code=spec["code"], name=spec["code"], priority=spec.get("priority", 0),
            stop_further=False, scope=scope, when=when, params=validate_params(spec["kind"], spec["params"]),
        ))
    return rules


def unrelated_specs(count: int) -> list[dict[str, Any]]:
    """``count`` rules that cannot apply to the B2 baskets (B1's branch B1, a GEN member, a
    Wednesday at 12:30): products, categories and brands no basket carries, other branches, another
    member type, weekend days, other hours. Added to 200 rules they make a 2,000-rule set whose
    matching rules are the 200's own: what the index must make free."""
    specs: list[dict[str, Any]] = []
    for i in range(count):
        slot = i % 6
        if slot == 0:
            specs.append({"code": f"UX-SKU{i}", "kind": "product", "priority": 45, "params": {
                "skus": [f"U{i:05d}"], "categories": [], "brands": [], "mode": "multiply", "value": "3"}})
        elif slot == 1:
            specs.append({"code": f"UX-CAT{i}", "kind": "product", "priority": 50, "params": {
                "skus": [], "categories": [f"UK{i}"], "brands": [f"UB{i}"], "mode": "extra_times", "value": "2"}})
        elif slot == 2:
            specs.append({"code": f"UX-BR{i}", "kind": "threshold", "priority": 5, "branches": [f"B{9 + i % 40}"],
                          "params": {"min_amount": "100", "points": 3}})
        elif slot == 3:
            specs.append({"code": f"UX-TYPE{i}", "kind": "spend", "priority": 20, "member_types": ["EXEC"],
                          "params": {"steps": [{"min_amount": "100", "mode": "multiply", "value": "2"}]}})
        elif slot == 4:
            specs.append({"code": f"UX-WKND{i}", "kind": "threshold", "priority": 10, "weekdays": [5 + i % 2],
                          "params": {"min_amount": "100", "points": 5}})
        else:
            hour = 14 + i % 8
            specs.append({"code": f"UX-HOUR{i}", "kind": "golden_minute", "priority": 30,
                          "time_from": dt.time(hour), "time_to": dt.time(hour, 30),
                          "params": {"min_amount": "0", "mode": "multiply", "value": "2"}})
    return specs


def catalog_setup(org: Any) -> int:
    """The workload's 400 SKUs in the catalog (no category or brand: the baskets bring theirs),
    every member type's table pricing half of them, and the pricing settings saved (the POS's
    prices win, as the workload sends prices): B1 then runs with price tables on."""
    from sasom.catalog import price_tables
    from sasom.catalog.models import Price, PriceTable, PriceTableMemberType, Product
    from sasom.core.audit import Actor
    from sasom.members.models import MemberType

    if Product.objects.filter(organization=org, sku="S00000").exists():
        return 0
    products = Product.objects.bulk_create(
        [Product(organization=org, sku=f"S{i:05d}", name_th=f"สินค้า {i}", base_price=Decimal("100.00"))
         for i in range(400)])
    table, _ = PriceTable.objects.get_or_create(organization=org, code="BENCH", defaults={"name": "Bench"})
    for mt in MemberType.objects.filter(organization=org):
        PriceTableMemberType.objects.update_or_create(organization=org, member_type=mt, defaults={"table": table})
    Price.objects.bulk_create([Price(organization=org, table=table, product=p, price=Decimal("95.00"))
                               for p in products[::2]])
    price_tables.pricing_settings_save(organization_id=org.pk, actor=Actor.system("bench"),
                                       data={"authority": "pos", "open_lines": True})
    return len(products)


def basket_lines(rng: random.Random, count: int = 10) -> list[dict[str, str]]:
    lines = []
    for _ in range(count):
        sku = rng.randrange(0, 400)
        lines.append({
            "sku": f"S{sku:05d}",
            "category": rng.choice(CATEGORIES_IN_BASKETS),
            "brand": f"BR{sku % 30}",
            "quantity": str(rng.choice([1, 1, 1, 2, 3])),
            "unit_price": f"{rng.randrange(1500, 90000) / 100:.2f}",
        })
    return lines


def engine_basket(rng: random.Random, when: dt.datetime, lines: int = 10):
    from sasom.earning.engine import Basket, BasketLine

    return Basket(
        occurred_at=when,
        lines=tuple(
            BasketLine(line_no=i, sku=ln["sku"], quantity=Decimal(ln["quantity"]), unit_price=Decimal(ln["unit_price"]),
                       category=ln["category"], brand=ln["brand"])
            for i, ln in enumerate(basket_lines(rng, lines), start=1)
        ),
        branch_code="B1", terminal_code="B1-T1",
    )
