"""B8's exactness check: the promotions engine's results on random baskets, written out so that two
checkouts (``main`` and a branch that makes the engine faster) can be compared result by result.

    .venv/bin/python bench/promotions_compare.py --src OTHER_CHECKOUT/src --seed 1 --count 500 > other.txt
    .venv/bin/python bench/promotions_compare.py --seed 1 --count 500 > this.txt
    cmp other.txt this.txt

Each case is a random basket (1-12 lines, places 2 or 0, a line discount and weighed units on
some) against 1-18 promotions of every kind with random parameters (per-bill limits, stacking,
priorities, choices made and not); one case in four is the bench's own 50-line basket with 8-16
of its promotions at random priorities (groups too large for the exhaustive search: the greedy's
path). Each case runs in both modes, with and without hints, and best mode again in Thai; every
application (takes, gifts, choice, times, explanation, message) and hint is printed. The cases
depend on the seed only, not on the code under test (built from the kinds' parameter types).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SKUS = ("A", "B", "C", "D", "E", "F", "G", "H")
CATEGORIES = ("c1", "c2", "c3")
BRANDS = ("x", "y", "z")


def _amount(rng: random.Random, places: int, low: int, high: int) -> str:
    value = rng.randint(low, high)
    return str(value * 100) if places == 0 else f"{value // 100}.{value % 100:02d}"


def _band_value(rng: random.Random, kind: str, places: int) -> Any:
    if kind in ("qty_free", "bin_qty_free"):
        return rng.randint(1, 3)
    if kind in ("qty_price", "bin_qty_price"):
        return _amount(rng, places, 100, 4000)
    return str(rng.choice((2, 5, 10, 12.5, 20, 33, 50)))


def _params(rng: random.Random, code: str, specs: Any, places: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in specs:
        if not spec.required and rng.random() < 0.5:
            continue
        t = spec.type
        if t == "int":
            out[spec.name] = rng.randint(1, 4)
        elif t == "money":
            out[spec.name] = _amount(rng, places, 0 if spec.name in ("offer_price", "unit_price") else 100, 12000)
        elif t == "percent":
            out[spec.name] = str(rng.choice((1, 2, 5, 10, 15, 33, 50)))
        elif t == "decimal":
            out[spec.name] = str(rng.randint(1, 5))
        elif t == "sku":
            out[spec.name] = rng.choice(SKUS)
        elif t == "skus":
            out[spec.name] = rng.sample(SKUS + ("GIFT1", "GIFT2"), rng.randint(1, 2))
        elif t == "bands":
            start, bands = 0, []
            for _ in range(rng.randint(1, 3)):
                start += rng.randint(1, 3)
                bands.append({"from": start, "value": _band_value(rng, code, places)})
            out[spec.name] = bands
        elif t == "mix":
            priced = code == "mix_set_price"
            out[spec.name] = [{"sku": sku, "quantity": rng.randint(1, 2),
                               **({"price": _amount(rng, places, 100, 3000)} if priced else {})}
                              for sku in rng.sample(SKUS, rng.randint(1, 3))]
        elif t == "bool":
            out[spec.name] = rng.random() < 0.5
        elif t == "choice":
            out[spec.name] = rng.choice(spec.options)
        else:
            out[spec.name] = "text"
    if code == "value_discount":
        out.pop("percent" if rng.random() < 0.5 else "amount", None)
        if "percent" not in out and "amount" not in out:
            out["percent"] = "10"
    return out


def _items(rng: random.Random, engine: Any) -> Any:
    pick = rng.random()
    exclude = frozenset(rng.sample(SKUS, 1)) if rng.random() < 0.15 else frozenset()
    if pick < 0.15:
        return engine.ItemSet(exclude_skus=exclude)
    if pick < 0.5:
        return engine.ItemSet(skus=frozenset(rng.sample(SKUS, rng.randint(1, 4))), exclude_skus=exclude)
    if pick < 0.8:
        return engine.ItemSet(categories=frozenset(rng.sample(CATEGORIES, rng.randint(1, 2))), exclude_skus=exclude)
    return engine.ItemSet(brands=frozenset(rng.sample(BRANDS, 1)), exclude_skus=exclude)


def _random_case(rng: random.Random, engine: Any, kinds: Any) -> tuple[list[Any], list[Any], Any]:
    places = 0 if rng.random() < 0.2 else 2
    lines = []
    for index in rng.sample(range(1, 40), rng.randint(1, 12)):
        sku = rng.choice(SKUS)
        n = SKUS.index(sku)
        weighed = rng.random() < 0.1
        quantity = Decimal(rng.randint(100, 3500)) / 1000 if weighed else Decimal(rng.randint(1, 6))
        unit = Decimal(_amount(rng, places, 50, 9000))
        amount = quantity * unit
        discount = ZERO
        if rng.random() < 0.25:
            cents = int(amount * (100 if places else 1) * Decimal(rng.random()))
            discount = Decimal(cents) / (100 if places else 1)
        lines.append(engine.Line(index=index, sku=sku, categories=frozenset({CATEGORIES[n % 3], "all"}),
                                 brand=BRANDS[n % 3], quantity=quantity, unit_price=unit, list_price=unit,
                                 discount=discount, places=places))
    promotions = []
    codes = sorted(kinds)
    from sasom.core.currency import amounts_in
    with amounts_in(places):
        for n in range(rng.randint(1, 18)):
            code = rng.choice(codes)
            kind = kinds[code]
            for _ in range(20):
                try:
                    cleaned = kind.clean(_params(rng, code, kind.params, places))
                    break
                except engine.ParamsError:
                    continue
            else:
                continue
            limit = rng.choice((None, None, None, 1, 2))
            promotions.append(engine.Promotion(
                id=n + 1, code=f"R{n:02d}", name=f"{code} {n}", kind=code,
                rule=kind.build(cleaned, _items(rng, engine) if kind.uses_items else engine.ItemSet()),
                conditions=engine.Conditions(per_bill_limit=limit), priority=rng.randint(0, 3),
                stacks=rng.random() < 0.15, message=f"m{n}" if rng.random() < 0.3 else ""))
    gift_prices = {sku: Decimal(_amount(rng, places, 100, 5000)) for sku in SKUS + ("GIFT1",)}
    choices = {p.code: rng.choice(SKUS + ("GIFT1", "GIFT2")) for p in promotions if rng.random() < 0.5}
    return lines, promotions, engine.Context(at=AT, gift_prices=gift_prices, choices=choices)


def _bench_case(rng: random.Random, engine: Any) -> tuple[list[Any], list[Any], Any]:
    import dataclasses

    from bench import promotions as bench

    lines = bench.basket(random.Random(rng.randrange(1 << 30)))
    chosen = rng.sample(bench.touching(), rng.randint(8, 16))
    promotions = [dataclasses.replace(p, priority=rng.randint(0, 3) * 100) for p in chosen]
    gift_prices = {"G1": Decimal("15"), "G2": Decimal("20"), "G3": Decimal("25"), "G4": Decimal("59")}
    choices = {"P00006": "G3"} if rng.random() < 0.5 else {}
    return lines, promotions, engine.Context(at=AT, gift_prices=gift_prices, choices=choices)


def _shown(result: Any) -> str:
    out = []
    for a in result.applied:
        takes = " ".join(f"{t.index}:{t.units}:{t.discount}" for t in a.takes)
        gifts = " ".join(f"{g.sku}:{g.quantity}:{g.unit_price}:{g.list_price}" for g in a.gifts)
        choice = "" if a.choice is None else f"{a.choice.promotion}:{a.choice.options}:{a.choice.quantity}:{a.choice.unit_price}"
        out.append(f"  {a.code} x{a.times} stacks={a.stacks} [{takes}] [{gifts}] [{choice}] {a.explanation!s} | {a.message}")
    for h in result.hints:
        out.append(f"  hint {h.promotion} {h.missing_units} {h.missing_amount} {h.reward!s}")
    return "\n".join(out)


def _counted(paths: dict[str, int], name: str, fn: Any) -> Any:
    def counted(*a: Any, **k: Any) -> Any:
        paths[name] += 1
        return fn(*a, **k)
    return counted


def main() -> None:
    global AT, ZERO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the checkout's src directory to compare")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, args.src)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")
    import datetime

    import django
    from django.utils import translation

    django.setup()
    from sasom.promotions.engine import search
    from sasom.promotions.engine import types as engine
    from sasom.promotions.engine.index import promotion_set
    from sasom.promotions.engine.kinds import KINDS
    from sasom.promotions.engine.resolver import resolve

    paths = {"greedy": 0, "exhaustive": 0}  # how many groups each search path met (on stderr)
    for name in paths:
        setattr(search, name, _counted(paths, name, getattr(search, name)))
    AT = datetime.datetime(2026, 3, 4, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    ZERO = Decimal(0)
    rng = random.Random(args.seed)
    for case in range(args.count):
        if rng.random() < 0.25:
            lines, promotions, ctx = _bench_case(rng, engine)
        else:
            lines, promotions, ctx = _random_case(rng, engine, KINDS)
        print(f"case {args.seed}/{case}: {len(lines)} lines, {len(promotions)} promotions")
        for mode in (engine.MODE_PRIORITY, engine.MODE_BEST):
            pset = promotion_set(mode, promotions)
            for hints in (True, False):
                with translation.override("en"):
                    print(f" {mode} hints={hints}\n{_shown(resolve(pset, lines, ctx, hints=hints))}")
        with translation.override("th"):
            print(f" best th\n{_shown(resolve(promotion_set(engine.MODE_BEST, promotions), lines, ctx))}")
    print(f"{args.count} cases, groups searched: {paths}", file=sys.stderr)


AT: Any = None
ZERO: Any = None

if __name__ == "__main__":
    main()
