"""Reads for the till: the organization's pricing settings, and a basket's products with their
prices resolved for one branch, member type and day (``catalog.pricing`` does the arithmetic).

A basket costs one query here when warm: its codes matched as SKUs or barcodes, with the products'
table prices (one statement, prepared on PostgreSQL). The settings and which table each
member type uses are read once per process, with the category tree when some categories are
excluded from member discounts, and kept by version (docs/decisions/0013-pricing-settings-version.md):

* every change of what :class:`Settings` holds (the settings, a table's member types or its being
  active, the category tree) goes through :func:`pricing_forget`, which bumps
  ``PricingSettings.version`` in the change's own transaction and drops this process's copy;
* the sale's one statement (``checkout.pricing_read``) reads that version with the member and the
  prices, in the same snapshot, and hands it to :func:`pricing_confirmed`: the same version keeps
  the copy (no query of its own, whatever its age), another one drops it and the sale reads the
  settings and its statement again, so a sale on that path never prices with settings older than
  its own statement;
* any other caller (:func:`pricing_settings`: the quote, the two-read path, SQLite, the batches)
  trusts the copy ``EARNING_RULESET_TTL`` seconds after it was last read or confirmed, then reads
  the version alone (one indexed query) and the whole settings again only when it moved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F

from sasom.core.money import money
from sasom.core.sql import prepared_rows

from .models import Category, PriceTableMemberType, PricingSettings
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
    version: int | None = None  # ``PricingSettings.version`` as read; None: no stored row


# organization id -> (when it was last read or confirmed, time.monotonic(); the settings)
_CACHE: dict[int, tuple[float, Settings]] = {}
_LOCK = threading.Lock()


def pricing_settings(organization_id: int) -> Settings:
    """The organization's settings and its member types' tables, cached (see the module): within
    ``EARNING_RULESET_TTL`` seconds of the last read or confirmation no query, then one query for
    the version, and the whole read only when the version moved."""
    ttl = float(getattr(django_settings, "EARNING_RULESET_TTL", 0))
    now = time.monotonic()
    cached = _CACHE.get(organization_id)
    if cached is not None:
        if ttl > 0 and now - cached[0] < ttl:
            return cached[1]
        if _version_read(organization_id) == cached[1].version:
            _keep(organization_id, cached[1], now)
            return cached[1]
    read = _settings_read(organization_id)
    _keep(organization_id, read, now)
    return read


def pricing_settings_cached(organization_id: int) -> Settings:
    """This process's copy of the settings whatever its age (read when there is none), for a
    caller that confirms its version with the statement that uses it (:func:`pricing_confirmed`)."""
    cached = _CACHE.get(organization_id)
    if cached is not None:
        return cached[1]
    read = _settings_read(organization_id)
    _keep(organization_id, read, time.monotonic())
    return read


def pricing_confirmed(organization_id: int, settings: Settings, version: int | None) -> bool:
    """Whether ``settings`` are the organization's settings at ``version`` (``PricingSettings.version``
    read by the caller's own statement, None without a row). True: this process's copy counts as
    checked now (:func:`pricing_settings` asks nothing for ``EARNING_RULESET_TTL`` seconds); False:
    the copy is dropped, and the caller reads the settings and its statement again."""
    with _LOCK:
        cached = _CACHE.get(organization_id)
        mine = cached is not None and cached[1] is settings
        if settings.version == version:
            if cached is None or mine:  # (another thread's newer copy stays)
                _CACHE[organization_id] = (time.monotonic(), settings)
            return True
        if mine:
            del _CACHE[organization_id]
    return False


def _keep(organization_id: int, settings: Settings, at: float) -> None:
    with _LOCK:
        _CACHE[organization_id] = (at, settings)


def pricing_forget(organization_id: int) -> None:
    """A change of the organization's pricing settings, of a price table's member types or its
    being active, or of its category tree: the settings' version moves in the caller's
    transaction (every process notices: see the module), and this process's copy is dropped now
    and again at commit. Call it after the settings row itself is saved (a save writes the
    version it read)."""
    PricingSettings.objects.filter(organization_id=organization_id).update(version=F("version") + 1)

    def forget() -> None:
        with _LOCK:
            _CACHE.pop(organization_id, None)

    forget()
    transaction.on_commit(forget)


def pricing_forget_all() -> None:
    with _LOCK:
        _CACHE.clear()


def _version_read(organization_id: int) -> int | None:
    return PricingSettings.objects.filter(organization_id=organization_id).values_list("version", flat=True).first()


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
        version=row.version,
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


# One statement for a whole basket: each code given, matched as a SKU (via 0) or a barcode (via 1),
# with its product's category, brand and the member and general tables' prices of the branch
# (the branch's own row before the all-branch row; a NULL table matches nothing). $1 organization,
# $2 the codes, $3 the day, $4 the branch, $5 the member's table, $6 the general table.
_BASKET_PRICE = """(SELECT pr.{field} FROM catalog_price pr WHERE pr.organization_id = $1 AND pr.table_id = ${table}
 AND pr.product_id = p.id AND (pr.branch_id IS NULL OR pr.branch_id = $4)
 AND (pr.valid_from IS NULL OR pr.valid_from <= $3) AND (pr.valid_to IS NULL OR pr.valid_to >= $3)
 ORDER BY (pr.branch_id IS NULL) LIMIT 1)"""
_PRODUCT_COLUMNS = "p{n}.id, p{n}.sku, p{n}.name_th, p{n}.category_id, p{n}.brand_id, p{n}.excluded_from_points, " \
                   "p{n}.base_price, p{n}.is_active, p{n}.active_from, p{n}.active_to"
_MATCHES = f"""SELECT {{code}} AS code, 0 AS via, {_PRODUCT_COLUMNS.format(n=0)}
  FROM {{codes}}catalog_product p0 WHERE p0.organization_id = $1 AND p0.sku = {{code}}
UNION ALL
SELECT {{code}}, 1, {_PRODUCT_COLUMNS.format(n=1)}
  FROM {{codes}}catalog_barcode bc JOIN catalog_product p1 ON p1.id = bc.product_id AND p1.organization_id = $1
  WHERE bc.organization_id = $1 AND bc.code = {{code}}"""
_BASKET = f"""SELECT p.code, p.via, p.sku, p.name_th, p.category_id, c.code, b.code, p.excluded_from_points,
 p.base_price, {_BASKET_PRICE.format(field="price", table=5)}, {_BASKET_PRICE.format(field="branch_id", table=5)},
 {_BASKET_PRICE.format(field="price", table=6)}, {_BASKET_PRICE.format(field="branch_id", table=6)}
FROM {{matches}}
LEFT JOIN catalog_category c ON c.id = p.category_id
LEFT JOIN catalog_brand b ON b.id = p.brand_id
WHERE p.is_active AND (p.active_from IS NULL OR p.active_from <= $3) AND (p.active_to IS NULL OR p.active_to >= $3)
ORDER BY p.via DESC"""
# PostgreSQL: each code is looked up by its own index probes (LATERAL), so the plan prepared once per
# connection stays a handful of index look-ups per code, whatever the catalog's size and statistics;
# then the prices of the products found, of both tables, in one pass (the branch's row before the
# all-branch row, DISTINCT ON): one probe per product and table instead of the four correlated
# subselects per code above (price and branch apart, per table), which on a small price table each
# scanned it whole (docs/performance.md, B1's PostgreSQL CPU). Price periods of one product, table
# and branch never overlap (catalog.price_tables), so each pick is the one row the subselects pick.
# CTE names of their own: an outer statement may wrap this one with CTEs (checkout.pricing_read).
_BASKET_PG = f"""WITH basket_p AS MATERIALIZED (SELECT p.* FROM unnest($2::text[]) AS w(code) CROSS JOIN LATERAL (
{_MATCHES.format(code="w.code", codes="")}) p
 WHERE p.is_active AND (p.active_from IS NULL OR p.active_from <= $3) AND (p.active_to IS NULL OR p.active_to >= $3)),
basket_pr AS (SELECT DISTINCT ON (pr.table_id, pr.product_id) pr.table_id, pr.product_id, pr.price, pr.branch_id
  FROM catalog_price pr WHERE pr.organization_id = $1 AND pr.table_id IN ($5, $6)
   AND pr.product_id IN (SELECT bp.id FROM basket_p bp) AND (pr.branch_id IS NULL OR pr.branch_id = $4)
   AND (pr.valid_from IS NULL OR pr.valid_from <= $3) AND (pr.valid_to IS NULL OR pr.valid_to >= $3)
  ORDER BY pr.table_id, pr.product_id, (pr.branch_id IS NULL))
SELECT p.code, p.via, p.sku, p.name_th, p.category_id, c.code, b.code, p.excluded_from_points,
 p.base_price, mp.price, mp.branch_id, gp.price, gp.branch_id
FROM basket_p p
LEFT JOIN catalog_category c ON c.id = p.category_id
LEFT JOIN catalog_brand b ON b.id = p.brand_id
LEFT JOIN basket_pr mp ON mp.table_id = $5 AND mp.product_id = p.id
LEFT JOIN basket_pr gp ON gp.table_id = $6 AND gp.product_id = p.id
ORDER BY p.via DESC"""
BASKET_PG = _BASKET_PG  # $5 the member's table: checkout.pricing_read reads it with the member
_BASKET_SQLITE_PARTS = re.split(r"\$(\d)", _BASKET.format(
    matches="(" + _MATCHES.format(code="w.value", codes="json_each($2) w, ") + ") p"))
_BASKET_SQLITE = "".join(part if i % 2 == 0 else "%s" for i, part in enumerate(_BASKET_SQLITE_PARTS))
_BASKET_SQLITE_ORDER = [int(n) - 1 for n in _BASKET_SQLITE_PARTS[1::2]]


def _basket_rows(organization_id: int, codes: list[str], on: dt.date, branch_id: int,
                 member_table_id: int | None, general_table_id: int | None) -> list[tuple[Any, ...]]:
    if connection.vendor == "postgresql":
        return prepared_rows("sasom_basket_products_v2", "bigint, text[], date, bigint, bigint, bigint", _BASKET_PG,
                             [organization_id, codes, on, branch_id, member_table_id, general_table_id])
    values: list[Any] = [organization_id, json.dumps(codes), on.isoformat(), branch_id, member_table_id, general_table_id]
    with connection.cursor() as cursor:
        cursor.execute(_BASKET_SQLITE, [values[i] for i in _BASKET_SQLITE_ORDER])
        return list(cursor.fetchall())


def basket_products(organization_id: int, codes: Iterable[str], *, branch_id: int, branch_code: str,
                    on: dt.date, settings: Settings, member_table: tuple[int, str] | None
                    ) -> dict[str, ProductPrices]:
    """Each known code's sellable product (a SKU before another product's barcode) with its list
    price and member price resolved (docs/points.md: the member type's table at the branch, then
    for every branch; the general table at the branch, then for every branch; the base price).
    One query (prepared on PostgreSQL)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    member_table_id, member_table_code = member_table if member_table is not None else (None, "")
    rows = _basket_rows(organization_id, wanted, on, branch_id, member_table_id, settings.general_table_id)
    return products_of_rows(rows, settings=settings, branch_code=branch_code, member_table_code=member_table_code)


def products_of_rows(rows: Iterable[tuple[Any, ...] | list[Any]], *, settings: Settings, branch_code: str,
                     member_table_code: str) -> dict[str, ProductPrices]:
    """:func:`basket_products` of the rows of its statement (``BASKET_PG``), wherever they were read
    (``checkout.pricing_read`` reads them with the member)."""
    ancestors = settings.category_codes
    out: dict[str, ProductPrices] = {}
    for (code, _via, sku, name, category_id, category, brand, excluded, base, member, member_branch,
         general, general_branch) in rows:  # barcodes first, so that a SKU's row overwrites them
        list_price, list_source = _price(base), "base"
        if general is not None:
            list_price = _price(general)
            list_source = _source(settings.general_table_code, general_branch, branch_code)
        category = category or ""
        out[code] = ProductPrices(
            sku=sku, name=name, category=category,
            categories=ancestors.get(category_id or 0, frozenset({category} if category else ())),
            brand=brand or "", excluded_from_points=bool(excluded),
            list_price=list_price, list_source=list_source,
            member_price=None if member is None else _price(member),
            member_source=_source(member_table_code, member_branch, branch_code) if member is not None else "",
        )
    return out


# A stored price as read (its text: PostgreSQL's numeric as text or a Decimal, SQLite's number)
# -> ``money(str(it))``: a catalog's prices repeat across baskets, the Decimal is immutable.
def _price(value: Any) -> Decimal:
    return _price_of_text(str(value))  # SQLite gives a decimal as a number


@lru_cache(maxsize=50_000)
def _price_of_text(text: str) -> Decimal:
    return money(text)


def _source(table_code: str, row_branch: int | None, branch_code: str) -> str:
    return f"table:{table_code}@{branch_code}" if row_branch is not None else f"table:{table_code}"
