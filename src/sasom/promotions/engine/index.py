"""An organization's promotions indexed by what they count, so a basket looks up only the
promotions its lines can touch (5,000 promotions cost a 50-line basket about what 500 do:
docs/performance.md, B8)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sasom.promotions.engine.types import MODE_BEST, MODE_PRIORITY, Line, Promotion, PromotionSet

MODES = (MODE_PRIORITY, MODE_BEST)


def promotion_set(mode: str, promotions: Sequence[Promotion], version: int = 0) -> PromotionSet:
    if mode not in MODES:
        raise ValueError(f"unknown promotion mode {mode!r}")
    by_sku: dict[str, list[int]] = {}
    by_category: dict[str, list[int]] = {}
    by_brand: dict[str, list[int]] = {}
    everywhere: list[int] = []
    for position, promotion in enumerate(promotions):
        items = promotion.rule.items()
        if not (items.skus or items.categories or items.brands):
            everywhere.append(position)
            continue
        for sku in items.skus:
            by_sku.setdefault(sku, []).append(position)
        for category in items.categories:
            by_category.setdefault(category, []).append(position)
        for brand in items.brands:
            by_brand.setdefault(brand, []).append(position)
    return PromotionSet(
        mode=mode,
        promotions=tuple(promotions),
        by_sku={k: tuple(v) for k, v in by_sku.items()},
        by_category={k: tuple(v) for k, v in by_category.items()},
        by_brand={k: tuple(v) for k, v in by_brand.items()},
        everywhere=tuple(everywhere),
        version=version,
    )


def candidates(pset: PromotionSet, lines: Iterable[Line]) -> list[int]:
    """Positions of the promotions some line can touch (by SKU, category, brand, or every line),
    ascending. Each SKU, category and brand of the basket is looked up once (a 50-line basket
    holds a few brands and categories, named again and again)."""
    found: set[int] = set(pset.everywhere)
    skus: set[str] = set()
    brands: set[str] = set()
    categories: set[str] = set()
    for line in lines:
        skus.add(line.sku)
        brands.add(line.brand)
        categories.update(line.categories)
    for names, index in ((skus, pset.by_sku), (brands, pset.by_brand), (categories, pset.by_category)):
        for name in names & index.keys():
            found.update(index[name])
    return sorted(found)
