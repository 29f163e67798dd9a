"""The member a sale's fast path reads, as plain values (docs/performance.md, "Gaps", B1 app CPU).

The read before the posting (``ledger.services.fastpost.member_columns``: the member with its
type, organization, points settings, account and tier in one row) used to become five model
instances per sale, built through Django's converters and ``Model.from_db``. What the fast path
needs of them is a dozen fields: the pricing's member terms (``members.selectors.member_benefits``,
``is_birthday``: status, card expiry, birth date and the type's discounts), the promotions'
context (code, type), the engine's member context (``ledger.services.sales.member_context``),
the plan (``ledger.plan``) and the answer (code, id). :class:`MemberValues` carries those,
with the same attribute names as :class:`~sasom.members.models.Member` (``member_type.code``,
``referred_by_id``, ...), so the functions that read a member read it unchanged.

The points settings are not per member: the row's values are the key of one
:class:`~sasom.ledger.models.LedgerSettings` instance per process (a changed setting is another
key, so it is never stale; a bounded dict). The account stays a model instance (the writers and
``ledger.services.sales.plan_of`` take one), the only one per sale.

A sale that leaves the fast path (a stale account, a refused promotion, a replay answered from
the stored sale) builds the model instances from the same row (:meth:`MemberValues.instances`),
exactly what ``member_of_row`` built before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model

from sasom.ledger.models import LedgerSettings
from sasom.tiers.engine import WindowMeasure
from sasom.tiers.selectors import TIER_CODE_READ

__all__ = ["MemberTypeValues", "MemberValues", "settings_of_values"]


@dataclass(frozen=True, slots=True)
class MemberTypeValues:
    """The fields of a ``MemberType`` that the sale reads."""

    id: int
    code: str
    can_earn: bool
    discount_percent: Decimal
    birthday_discount_percent: Decimal
    birthday_scope: str
    benefits_stop_on_expiry: bool

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True, slots=True)
class MemberValues:
    """The fields of a ``Member`` that a sale on the fast path reads, its type's, its points
    settings (``settings``, shared), its tier's code as read with it ("" for none) and, when the
    statement measured it, the member's measure in the sale's tier window (``tier_window``:
    ``ledger.services.tiering.tier_precheck`` then asks no query)."""

    id: int
    organization_id: int
    code: str
    status: str
    member_type_id: int
    birth_on: dt.date | None
    expires_on: dt.date | None
    referred_by_id: int | None
    member_type: MemberTypeValues
    settings: LedgerSettings
    tier_code: str
    row: tuple[Any, ...]  # the statement's row, for the model instances of the slow path
    tier_window: WindowMeasure | None = None

    @property
    def pk(self) -> int:
        return self.id

    def instances(self) -> tuple[Any, Any]:
        """(Member, PointAccount | None) as model instances, the member's type, organization and
        points settings attached (the ORM writer's and the stored answer's)."""
        from sasom.ledger.services.fastpost import member_of_row  # fastpost imports this module

        return member_of_row(self.row)


# ``tiers.selectors.member_tier_code`` takes the tier as read with the member from this attribute
setattr(MemberValues, TIER_CODE_READ, property(lambda self: self.tier_code))

_MEMBER = ("id", "organization_id", "code", "status", "member_type_id", "birth_on", "expires_on", "referred_by_id")
_TYPE = ("id", "code", "can_earn", "discount_percent", "birthday_discount_percent", "birthday_scope",
         "benefits_stop_on_expiry")


class Picker:
    """Where the named fields of one model sit in the read's row, with Django's converters for
    them (as its compiler applies them; none for these on PostgreSQL, but kept honest)."""

    def __init__(self, model: type[Model], names: tuple[str, ...], attnames: list[str], offset: int) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.at = [offset + attnames.index(n) for n in names]
        self.converters = []
        for n in names:
            col = fields[n].get_col(model._meta.db_table)
            self.converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))

    def values(self, row: tuple[Any, ...] | list[Any]) -> list[Any]:
        out = []
        for i, (col, converters) in zip(self.at, self.converters, strict=True):
            value = row[i]
            for converter in converters:
                value = converter(value, col, connection)
            out.append(value)
        return out


_SETTINGS: dict[tuple[Any, ...], LedgerSettings] = {}


def settings_of_values(values: tuple[Any, ...], build: Any, organization_id: int) -> LedgerSettings:
    """The points settings of these column values (all None: the organization has no row, the
    unsaved defaults), one instance per distinct value per process; ``build`` makes it."""
    key = (organization_id, *values)
    found = _SETTINGS.get(key)
    if found is None:
        if len(_SETTINGS) > 512:
            _SETTINGS.clear()
        found = build(values) if values[0] is not None else LedgerSettings(organization_id=organization_id)
        _SETTINGS[key] = found
    return found
