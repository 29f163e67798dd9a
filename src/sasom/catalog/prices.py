"""Reads for the till: the organization's pricing settings, and a basket's products with their
prices resolved for one branch, member type and day (``catalog.pricing`` does the arithmetic).

A basket costs one query here when warm: the products by SKU with their table prices (subqueries;
barcodes, two more, only for codes no SKU matched). The settings and which table each
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
from django.db.models import F, OuterRef, Q, Subquery

from sasom.core.money import money

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


def products_for_codes(organization_id: int, codes: Iterable[str], *, on: dt.date,
                       prices: dict[str, Subquery] | None = None) -> dict[str, Product]:
    """The sellable products (active, within their active dates on ``on``) named by SKU or
    barcode, keyed by the code as given; a SKU wins over another product's barcode. ``prices``:
    annotations (:func:`_table_price`) read in the same query."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    sellable = (Product.objects.filter(Q(active_from__isnull=True) | Q(active_from__lte=on),
                                       Q(active_to__isnull=True) | Q(active_to__gte=on),
                                       organization_id=organization_id, is_active=True)
                .select_related("category", "brand").annotate(**(prices or {})))
    found = {p.sku: p for p in sellable.filter(sku__in=wanted)}
    missing = wanted - found.keys()
    if missing:  # codes no SKU matched: barcodes, two more queries
        by_code = dict(Barcode.objects.filter(organization_id=organization_id, code__in=missing)
                       .values_list("code", "product_id"))
        products = {p.pk: p for p in sellable.filter(pk__in=set(by_code.values()))} if by_code else {}
        found.update({code: products[pk] for code, pk in by_code.items() if pk in products})
    return found


def _table_price(table_id: int, branch_id: int, on: dt.date, field: str) -> Subquery:
    """One field of the table's price of the outer product for the branch on ``on``: the branch's
    own row before the all-branch row (rows of one table, product and branch never overlap)."""
    return Subquery(
        Price.objects.filter(table_id=table_id, product_id=OuterRef("pk"), organization_id=OuterRef("organization_id"))
        .filter(Q(branch__isnull=True) | Q(branch_id=branch_id))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by(F("branch_id").asc(nulls_last=True)).values(field)[:1]
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
    member_table_id, member_table_code = member_table if member_table is not None else (None, "")
    general_id = settings.general_table_id
    annotations: dict[str, Subquery] = {}
    for name, table_id in (("member", member_table_id), ("general", general_id)):
        if table_id is not None:
            annotations[f"{name}_price"] = _table_price(table_id, branch_id, on, "price")
            annotations[f"{name}_branch"] = _table_price(table_id, branch_id, on, "branch_id")
    products = products_for_codes(organization_id, codes, on=on, prices=annotations)
    ancestors = settings.category_codes
    out: dict[str, ProductPrices] = {}
    for code, p in products.items():
        list_price, list_source = p.base_price, "base"
        general = _money_or_none(getattr(p, "general_price", None))  # SQLite gives a subquery's 85.00 as 85
        if general is not None:
            list_price = general
            list_source = _source(settings.general_table_code, getattr(p, "general_branch", None), branch_code)
        member = _money_or_none(getattr(p, "member_price", None))
        category = p.category.code if p.category else ""
        out[code] = ProductPrices(
            sku=p.sku, name=p.name_th, category=category,
            categories=ancestors.get(p.category_id or 0, frozenset({category} if category else ())),
            brand=p.brand.code if p.brand else "", excluded_from_points=p.excluded_from_points,
            list_price=list_price, list_source=list_source,
            member_price=member,
            member_source=_source(member_table_code, getattr(p, "member_branch", None), branch_code)
            if member is not None else "",
        )
    return out


def _money_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else money(value)


def _source(table_code: str, row_branch: int | None, branch_code: str) -> str:
    return f"table:{table_code}@{branch_code}" if row_branch is not None else f"table:{table_code}"
