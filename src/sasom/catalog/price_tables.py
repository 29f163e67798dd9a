"""Writes to price tables and the pricing settings. Audited; each checks everything first.

Two prices of one table for the same product and branch never cover the same day: the table's row
is locked while a price is set, so two writers cannot slip overlapping periods past each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.currency import amounts_in
from sasom.core.errors import Conflict, DomainError, NotFound
from sasom.members.models import MemberType
from sasom.organizations.models import Branch
from sasom.organizations.selectors import organization_places

from .errors import (
    BRANCH_NOT_FOUND,
    FIELD_UNKNOWN,
    MEMBER_TYPE_NOT_FOUND,
    PRICE_PERIOD_INVALID,
    PRICE_PERIOD_OVERLAP,
    PRICE_TABLE_NOT_FOUND,
    PRICE_TABLE_TAKEN,
    SETTING_INVALID,
)
from .models import Category, Price, PriceTable, PriceTableMemberType, PricingSettings, Product
from .prices import pricing_forget
from .selectors import product_by_code
from .validation import clean_code, clean_name, clean_price

TABLE_FIELDS = ["code", "name", "note", "is_active"]
SETTINGS_FIELDS = ["authority", "open_lines", "general_table_id", "member_discount_min_bill",
                   "member_discount_skips_discounted_lines", "member_discount_excluded_categories"]
TABLE_UPDATABLE = frozenset({"name", "note", "is_active", "member_types"})


def price_table_get(organization_id: int, code: str) -> PriceTable:
    table = PriceTable.objects.filter(organization_id=organization_id, code=(code or "").strip()).first()
    if table is None:
        raise NotFound(PRICE_TABLE_NOT_FOUND, _("No price table has this code."), field="code")
    return table


def _member_types(organization_id: int, codes: Sequence[str]) -> list[MemberType]:
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    found = {mt.code: mt for mt in MemberType.objects.filter(organization_id=organization_id, code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise DomainError(MEMBER_TYPE_NOT_FOUND, _("No member type has the code %(code)s.") % {"code": missing[0]},
                          field="member_types")
    return [found[c] for c in wanted]


def _link(table: PriceTable, types: list[MemberType]) -> None:
    """``types`` use ``table`` from now on (a type that used another table moves); the table's
    other types lose it."""
    pricing_forget(table.organization_id)
    PriceTableMemberType.objects.filter(organization_id=table.organization_id, table=table).exclude(
        member_type__in=types).delete()
    for mt in types:
        PriceTableMemberType.objects.update_or_create(
            organization_id=table.organization_id, member_type=mt, defaults={"table": table})


def member_type_codes(table: PriceTable) -> list[str]:
    return sorted(PriceTableMemberType.objects.filter(organization_id=table.organization_id, table=table)
                  .values_list("member_type__code", flat=True))


@transaction.atomic
def price_table_create(*, organization_id: int, actor: Actor, code: str, name: str, note: str = "",
                       is_active: bool = True, member_types: Sequence[str] = ()) -> PriceTable:
    table = PriceTable(organization_id=organization_id, code=clean_code(code, max_length=20),
                       name=clean_name(name, field="name", max_length=100),
                       note=clean_name(note, field="note", max_length=200, required=False), is_active=is_active)
    if PriceTable.objects.filter(organization_id=organization_id, code=table.code).exists():
        raise Conflict(PRICE_TABLE_TAKEN, _("Another price table has this code."), field="code")
    types = _member_types(organization_id, member_types)
    table.save()
    _link(table, types)
    audit_record(organization_id=organization_id, actor=actor, action="price_table.create", obj=table,
                 changes=diff({}, {**snapshot(table, TABLE_FIELDS), "member_types": [t.code for t in types]}))
    return table


@transaction.atomic
def price_table_update(*, table: PriceTable, actor: Actor, data: Mapping[str, Any]) -> PriceTable:
    unknown = sorted(set(data) - TABLE_UPDATABLE)
    if unknown:
        raise DomainError(FIELD_UNKNOWN, _("These fields cannot be changed here."), field=unknown[0])
    before = {**snapshot(table, TABLE_FIELDS), "member_types": member_type_codes(table)}
    if "name" in data:
        table.name = clean_name(data["name"], field="name", max_length=100)
    if "note" in data:
        table.note = clean_name(data["note"] or "", field="note", max_length=200, required=False)
    if "is_active" in data:
        table.is_active = bool(data["is_active"])
        pricing_forget(table.organization_id)
    if "member_types" in data:
        _link(table, _member_types(table.organization_id, data["member_types"] or []))
    table.save()
    changes = diff(before, {**snapshot(table, TABLE_FIELDS), "member_types": member_type_codes(table)})
    if changes:
        audit_record(organization_id=table.organization_id, actor=actor, action="price_table.update", obj=table,
                     changes=changes)
    return table


def _branch(organization_id: int, code: str | None) -> Branch | None:
    if not code:
        return None
    branch = Branch.objects.filter(organization_id=organization_id, code=code.strip()).first()
    if branch is None:
        raise DomainError(BRANCH_NOT_FOUND, _("No branch has the code %(code)s.") % {"code": code}, field="branch")
    return branch


def _overlapping(table: PriceTable, product: Product, branch: Branch | None, valid_from: dt.date | None,
                 valid_to: dt.date | None, exclude: int | None) -> Price | None:
    qs = Price.objects.filter(organization_id=table.organization_id, table=table, product=product,
                              branch=branch)
    if valid_to is not None:
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if valid_from is not None:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.first()


@transaction.atomic
def price_set(*, table: PriceTable, actor: Actor, product_code: str, price: Decimal | str,
              branch: str | None = None, valid_from: dt.date | None = None, valid_to: dt.date | None = None,
              replace: int | None = None) -> Price:
    """Give ``product_code`` (a SKU or barcode) ``price`` in ``table``, for one branch or every
    branch, over a period (either end open). ``replace``: the id of this table's row to change.
    Refuses ``price_period_overlap`` when another row of the table covers a day of the period."""
    PriceTable.objects.select_for_update().filter(pk=table.pk).first()  # one writer per table at a time
    product = product_by_code(table.organization_id, product_code)
    with amounts_in(organization_places(table.organization_id)):
        amount = clean_price(price, field="price")
    place = _branch(table.organization_id, branch)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise DomainError(PRICE_PERIOD_INVALID, _("The period ends before it begins."), field="valid_to")
    row = None
    if replace is not None:
        row = Price.objects.filter(organization_id=table.organization_id, table=table, pk=replace).first()
        if row is None:
            raise NotFound(PRICE_TABLE_NOT_FOUND, _("This table has no such price."), field="id")
    clash = _overlapping(table, product, place, valid_from, valid_to, exclude=replace)
    if clash is not None:
        raise Conflict(PRICE_PERIOD_OVERLAP, _("Another price of this table for %(sku)s covers part of this period "
                                               "(%(from)s to %(to)s).") % {
            "sku": product.sku, "from": clash.valid_from or "…", "to": clash.valid_to or "…"}, field="valid_from")
    before = {} if row is None else snapshot(row, ["product_id", "branch_id", "price", "valid_from", "valid_to"])
    row = row or Price(organization_id=table.organization_id, table=table)
    row.product, row.branch, row.price, row.valid_from, row.valid_to = product, place, amount, valid_from, valid_to
    row.save()
    audit_record(organization_id=table.organization_id, actor=actor, action="price.set", obj=row,
                 object_repr=f"{table.code} {product.sku} {place.code if place else '*'}",
                 changes=diff(before, snapshot(row, ["product_id", "branch_id", "price", "valid_from", "valid_to"])))
    return row


@transaction.atomic
def price_delete(*, price: Price, actor: Actor) -> None:
    audit_record(organization_id=price.organization_id, actor=actor, action="price.delete", obj=price,
                 object_repr=f"{price.table.code} {price.product.sku}",
                 changes=diff(snapshot(price, ["price", "valid_from", "valid_to"]), {}))
    price.delete()


def pricing_settings_of(organization_id: int) -> PricingSettings:
    """The stored settings, or unsaved defaults."""
    return (PricingSettings.objects.filter(organization_id=organization_id).select_related("general_table").first()
            or PricingSettings(organization_id=organization_id))


@transaction.atomic
def pricing_settings_save(*, organization_id: int, actor: Actor, data: Mapping[str, Any]) -> PricingSettings:
    """Change some settings (``general_table``: a table code or empty). Saving them the first
    time switches the till's pricing on for every sale (docs/points.md)."""
    allowed = {"authority", "open_lines", "general_table", "member_discount_min_bill",
               "member_discount_skips_discounted_lines", "member_discount_excluded_categories"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DomainError(FIELD_UNKNOWN, _("These fields cannot be changed here."), field=unknown[0])
    # the row locked before it is read: the version it writes back is the current one (pricing_forget below)
    list(PricingSettings.objects.select_for_update().filter(organization_id=organization_id).values_list("pk"))
    row = pricing_settings_of(organization_id)
    before = snapshot(row, SETTINGS_FIELDS) if row.pk else {}
    if "authority" in data:
        if data["authority"] not in PricingSettings.Authority.values:
            raise DomainError(SETTING_INVALID, _("Choose pos or sasom."), field="authority")
        row.authority = data["authority"]
    if "open_lines" in data:
        row.open_lines = bool(data["open_lines"])
    if "general_table" in data:
        code = data["general_table"]
        row.general_table = price_table_get(organization_id, code) if code else None
    if "member_discount_min_bill" in data:
        with amounts_in(organization_places(organization_id)):
            row.member_discount_min_bill = clean_price(data["member_discount_min_bill"],
                                                       field="member_discount_min_bill")
    if "member_discount_skips_discounted_lines" in data:
        row.member_discount_skips_discounted_lines = bool(data["member_discount_skips_discounted_lines"])
    if "member_discount_excluded_categories" in data:
        codes = list(dict.fromkeys(str(c).strip() for c in data["member_discount_excluded_categories"] or []))
        known = set(Category.objects.filter(organization_id=organization_id, code__in=codes)
                    .values_list("code", flat=True))
        missing = [c for c in codes if c not in known]
        if missing:
            raise DomainError(SETTING_INVALID, _("No category has the code %(code)s.") % {"code": missing[0]},
                              field="member_discount_excluded_categories")
        row.member_discount_excluded_categories = codes
    row.save()
    pricing_forget(organization_id)  # after the save: the version moves past the one the row was read with
    changes = diff(before, snapshot(row, SETTINGS_FIELDS))
    if changes:
        audit_record(organization_id=organization_id, actor=actor, action="pricing_settings.update", obj=row,
                     object_repr=_("Pricing settings"), changes=changes)
    return row
