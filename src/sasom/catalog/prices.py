"""Reads for the till: the organization's pricing settings, and a basket's products with their
prices resolved for one branch, member type and day (``catalog.pricing`` does the arithmetic).

A basket costs two queries here when warm: the products by SKU (barcodes only for codes no SKU
matched), and the price rows of the two tables that matter. The settings and which table each
member type uses are read once per process and kept ``EARNING_RULESET_TTL`` seconds (a change
clears them at once in the process that made it), with the category tree when some categories
are excluded from member discounts.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Q

from .models import Barcode, Category, Price, PriceTableMemberType, PricingSettings, Product
from .pricing import AUTHORITY_POS, ProductPrices


@dataclass(frozen=True, slots=True)
class Settings:
    configured: bool  # False: the organization never saved its pricing settings (the defaults apply)
    authority: str = AUTHORITY_POS
    open_lines: bool = True
    general_table_id: int | None = None
    general_table_code: str = ""
    min_bill: Decimal = Decimal("0")
    skip_discounted_lines: bool = False
    excluded_categories: frozenset[str] = frozenset()
    member_tables: dict[int, tuple[int, str]] = field(default_factory=dict)  # member type id -> active table
    category_codes: dict[int, frozenset[str]] = field(default_factory=dict)  # a category's code and its parents'


_CACHE: dict[int, tuple[float, Settings]] = {}
_LOCK = threading.Lock()


def pricing_settings(organization_id: int) -> Settings:
    """The organization's settings and its member types' tables, cached (see the module)."""
    ttl = float(getattr(django_settings, "EARNING_RULESET_TTL", 0))
    now = time.monotonic()
    cached = _CACHE.get(organization_id)
    if cached is not None and ttl > 0 and now - cached[0] < ttl:
        return cached[1]
    read = _settings_read(organization_id)
    with _LOCK:
        _CACHE[organization_id] = (now, read)
    return read


def pricing_forget(organization_id: int) -> None:
    """Drop this process's cached settings of one organization, now and again at commit."""
    def forget() -> None:
        with _LOCK:
            _CACHE.pop(organization_id, None)

    forget()
    transaction.on_commit(forget)


def pricing_forget_all() -> None:
    with _LOCK:
        _CACHE.clear()


def _settings_read(organization_id: int) -> Settings:
    row = (PricingSettings.objects.filter(organization_id=organization_id)
           .select_related("general_table").first())
    if row is None:
        return Settings(configured=False)
    tables = {mt: (table, code) for mt, table, code in PriceTableMemberType.objects.filter(
        organization_id=organization_id, table__is_active=True).values_list("member_type_id", "table_id", "table__code")}
    general = row.general_table
    return Settings(
        configured=True, authority=row.authority, open_lines=row.open_lines,
        general_table_id=general.pk if general is not None and general.is_active else None,
        general_table_code=general.code if general is not None else "",
        min_bill=row.member_discount_min_bill, skip_discounted_lines=row.member_discount_skips_discounted_lines,
        excluded_categories=frozenset(row.member_discount_excluded_categories or ()), member_tables=tables,
        category_codes=_category_ancestors(organization_id) if row.member_discount_excluded_categories else {},
    )


def products_for_codes(organization_id: int, codes: Iterable[str], *, on: dt.date) -> dict[str, Product]:
    """The sellable products (active, within their active dates on ``on``) named by SKU or
    barcode, keyed by the code as given; a SKU wins over another product's barcode."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    sellable = (Q(is_active=True), Q(active_from__isnull=True) | Q(active_from__lte=on),
                Q(active_to__isnull=True) | Q(active_to__gte=on))
    found = {p.sku: p for p in Product.objects.filter(*sellable, organization_id=organization_id, sku__in=wanted)
             .select_related("category", "brand")}
    missing = wanted - found.keys()
    if missing:  # codes no SKU matched: barcodes, one more query
        for barcode in (Barcode.objects.filter(organization_id=organization_id, code__in=missing)
                        .select_related("product__category", "product__brand")):
            product = barcode.product
            if product.is_active and (product.active_from is None or product.active_from <= on) and (
                    product.active_to is None or product.active_to >= on):
                found[barcode.code] = product
    return found


def _price_rows(organization_id: int, product_ids: set[int], table_ids: list[int], branch_id: int, on: dt.date
                ) -> list[tuple[int, int, int | None, Decimal, dt.date | None]]:
    if not product_ids or not table_ids:
        return []
    return list(
        Price.objects.filter(organization_id=organization_id, table_id__in=table_ids, product_id__in=product_ids)
        .filter(Q(branch__isnull=True) | Q(branch_id=branch_id))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by().values_list("product_id", "table_id", "branch_id", "price", "valid_from")
    )


def _category_ancestors(organization_id: int) -> dict[int, frozenset[str]]:
    rows = {pk: (code, parent) for pk, code, parent in
            Category.objects.filter(organization_id=organization_id).values_list("id", "code", "parent_id")}
    out: dict[int, frozenset[str]] = {}
    for pk in rows:
        codes, seen, at = [], set(), pk
        while at is not None and at in rows and at not in seen:
            seen.add(at)
            codes.append(rows[at][0])
            at = rows[at][1]
        out[pk] = frozenset(codes)
    return out


def basket_products(organization_id: int, codes: Iterable[str], *, branch_id: int, branch_code: str,
                    on: dt.date, settings: Settings, member_table: tuple[int, str] | None
                    ) -> dict[str, ProductPrices]:
    """Each known code's product with its list price and member price resolved (docs/points.md:
    the member type's table at the branch, then for every branch; the general table at the
    branch, then for every branch; the base price)."""
    products = products_for_codes(organization_id, codes, on=on)
    member_table_id, member_table_code = member_table if member_table is not None else (None, "")
    general_id = settings.general_table_id
    tables = [t for t in (member_table_id, general_id) if t is not None]
    rows = _price_rows(organization_id, {p.pk for p in products.values()}, tables, branch_id, on)
    # Per product and table: the branch's own row before the all-branch row. Rows of one table,
    # product and branch never overlap (catalog.price_tables refuses it), so one row is valid today.
    best: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for product_id, table_id, row_branch, price, _valid_from in rows:
        rank = 0 if row_branch is not None else 1
        held = best.get((product_id, table_id))
        if held is None or rank < held[0]:
            best[(product_id, table_id)] = (rank, price)
    ancestors = settings.category_codes
    out: dict[str, ProductPrices] = {}
    for code, p in products.items():
        list_price, list_source = p.base_price, "base"
        general = best.get((p.pk, general_id)) if general_id is not None else None
        if general is not None:
            list_price, list_source = general[1], _source(settings.general_table_code, general[0], branch_code)
        member = best.get((p.pk, member_table_id)) if member_table_id is not None else None
        category = p.category.code if p.category else ""
        out[code] = ProductPrices(
            sku=p.sku, name=p.name_th, category=category,
            categories=ancestors.get(p.category_id or 0, frozenset({category} if category else ())),
            brand=p.brand.code if p.brand else "", excluded_from_points=p.excluded_from_points,
            list_price=list_price, list_source=list_source,
            member_price=member[1] if member is not None else None,
            member_source=_source(member_table_code, member[0], branch_code) if member is not None else "",
        )
    return out


def _source(table_code: str, rank: int, branch_code: str) -> str:
    return f"table:{table_code}@{branch_code}" if rank == 0 and branch_code else f"table:{table_code}"
