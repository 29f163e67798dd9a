"""Bulk edit of selected products: preview, then apply what the preview showed, once.

The preview carries a fingerprint of the selected products (id and ``updated_at`` of each) and of
the change. Applying locks the products, recomputes it and refuses when it differs: someone
changed a product meanwhile, or this very change was applied already (a double click, a browser
that posts again). Every product changed moves its ``updated_at`` and gets its audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError
from sasom.core.money import money

from .errors import (
    BRAND_NOT_FOUND,
    BULK_EMPTY,
    BULK_STALE,
    CATEGORY_NOT_FOUND,
    PERCENT_INVALID,
    PRICE_INVALID,
)
from .models import Brand, Category, Product
from .rowwrite import audit_events
from .validation import PRICE_LIMIT, as_decimal, clean_price

MAX_PRODUCTS = 1000
PERCENT_MIN, PERCENT_MAX = Decimal("-100"), Decimal("1000")
KEEP, SET, CLEAR = "", "set", "clear"


@dataclass(frozen=True)
class BulkChange:
    """What to change; ``None`` (or ``KEEP``) leaves a field as it is."""

    category: str | None = None  # a code; "" clears the category
    brand: str | None = None  # a code; "" clears the brand
    is_active: bool | None = None
    excluded_from_points: bool | None = None
    price_percent: Decimal | None = None  # +5 raises prices by 5 %, -10 lowers them by 10 %
    price_value: Decimal | None = None

    def key(self) -> str:
        return repr((self.category, self.brand, self.is_active, self.excluded_from_points,
                     str(self.price_percent), str(self.price_value)))

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.category, self.brand, self.is_active, self.excluded_from_points,
                                       self.price_percent, self.price_value))


@dataclass
class BulkPlan:
    products: list[Product]
    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # product id -> field -> new value
    fingerprint: str = ""

    @property
    def changing(self) -> int:
        return len(self.values)

    @property
    def rows(self) -> list[tuple[Product, dict[str, Any]]]:
        return [(p, self.values.get(p.pk, {})) for p in self.products]


def clean_percent(value: Decimal | str) -> Decimal:
    percent = as_decimal(value, field="price_percent", code=PERCENT_INVALID)
    if not PERCENT_MIN <= percent <= PERCENT_MAX or percent != money(percent):
        raise DomainError(PERCENT_INVALID, _("Give a percent from -100 to 1000, at most two decimals."),
                          field="price_percent")
    return percent


def _fingerprint(products: list[Product], change: BulkChange) -> str:
    text = ";".join(f"{p.pk}:{p.updated_at.isoformat()}" for p in sorted(products, key=lambda p: p.pk))
    return hashlib.sha256(f"{text}|{change.key()}".encode()).hexdigest()


def _plan(organization_id: int, products: list[Product], change: BulkChange) -> BulkPlan:
    if change.empty:
        raise DomainError(BULK_EMPTY, _("Choose at least one change."), field=None)
    if not products:
        raise DomainError(BULK_EMPTY, _("Select at least one product."), field=None)
    target: dict[str, Any] = {}
    if change.category is not None:
        category = Category.objects.filter(organization_id=organization_id, code=change.category).first()
        if change.category and category is None:
            raise DomainError(CATEGORY_NOT_FOUND, _("No category with the code %(code)s.") % {"code": change.category},
                              field="category")
        target["category_id"] = category.pk if category else None
    if change.brand is not None:
        brand = Brand.objects.filter(organization_id=organization_id, code=change.brand).first()
        if change.brand and brand is None:
            raise DomainError(BRAND_NOT_FOUND, _("No brand with the code %(code)s.") % {"code": change.brand},
                              field="brand")
        target["brand_id"] = brand.pk if brand else None
    for name in ("is_active", "excluded_from_points"):
        if getattr(change, name) is not None:
            target[name] = getattr(change, name)
    if change.price_value is not None:
        target["base_price"] = clean_price(change.price_value, field="price_value")
    percent = clean_percent(change.price_percent) if change.price_percent is not None else None
    plan = BulkPlan(products=products, fingerprint=_fingerprint(products, change))
    for p in products:
        new = dict(target)
        if percent is not None:
            price = money(p.base_price * (100 + percent) / 100)
            if price >= PRICE_LIMIT:
                raise DomainError(PRICE_INVALID, _("The price of %(sku)s would be too large.") % {"sku": p.sku},
                                  field="price_percent")
            new["base_price"] = price
        changed = {k: v for k, v in new.items() if getattr(p, k) != v}
        if changed:
            plan.values[p.pk] = changed
    return plan


def _selected(organization_id: int, ids: list[int], *, lock: bool = False) -> list[Product]:
    if len(ids) > MAX_PRODUCTS:
        raise DomainError(BULK_EMPTY, _("Select at most %(n)s products at once.") % {"n": MAX_PRODUCTS}, field=None)
    qs = Product.objects.filter(organization_id=organization_id, pk__in=ids)
    if lock:
        qs = qs.select_for_update().order_by("pk")  # one lock order for every writer of several products
    return list(qs.select_related("category", "brand").order_by("sku", "id") if not lock else qs)


def products_bulk_preview(*, organization_id: int, ids: list[int], change: BulkChange) -> BulkPlan:
    """What :func:`products_bulk_apply` would change, and the fingerprint to apply it with."""
    return _plan(organization_id, _selected(organization_id, ids), change)


@transaction.atomic
def products_bulk_apply(
    *, organization_id: int, actor: Actor, ids: list[int], change: BulkChange, fingerprint: str
) -> int:
    """Apply ``change`` to the selected products as previewed; the number of products changed.

    ``Conflict`` ``bulk_stale`` when the products or the change are not what the preview showed."""
    products = _selected(organization_id, ids, lock=True)
    plan = _plan(organization_id, products, change)
    if plan.fingerprint != fingerprint:
        raise Conflict(BULK_STALE, _("These products changed since the preview, or this change was already "
                                     "applied. Check the list and try again."), field=None)
    now = timezone.now()
    changed: list[Product] = []
    audits = []
    fields: set[str] = set()
    for p in products:
        values = plan.values.get(p.pk)
        if not values:
            continue
        before = {k: getattr(p, k) for k in values}
        for k, v in values.items():
            setattr(p, k, v)
        p.updated_at = now
        changed.append(p)
        fields.update(values)
        audits.append((p, {k: [before[k], v] for k, v in values.items()}))
    if changed:
        Product.objects.bulk_update(changed, [*sorted(fields), "updated_at"], batch_size=500)
        audit_events(organization_id=organization_id, actor=actor, action="product.update", items=audits,
                     reason="bulk edit")
    audit_record(organization_id=organization_id, actor=actor, action="products.bulk_edit",
                 object_type="catalog.product", object_repr=f"{len(changed)} products",
                 changes={"change": [None, change.key()], "products": [None, len(changed)]})
    return len(changed)
