"""An organization's active promotions compiled into the engine's ``PromotionSet``, cached per
process (the pattern of ``earning.selectors.ruleset_for`` and ``tiers.selectors.ladder_for``).

Cache: ``{organization_id: (version, PromotionSet | None, gift SKUs, checked_at)}``. A warm call
reads only ``PromotionSettings.version`` (one indexed query) — or nothing at all within
``settings.PROMOTIONS_TTL`` seconds (default: the earning rule set's TTL) — and recompiles when
the version moved. Services bump the version in the same transaction as any change and drop this
process's entry at once, so other processes notice on their next check.

A shop without an active promotion gets ``None`` (the till skips the engine). A stored row the
engine no longer takes (an unknown kind, parameters its kind now refuses) is skipped and logged:
the till never fails on a promotion's configuration.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings as django_settings
from django.db.models import F

from sasom.core.currency import amounts_in, places_of
from sasom.organizations.selectors import organization_places
from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import Conditions, ItemSet, ParamsError, PromotionSet
from sasom.promotions.engine.types import Promotion as EnginePromotion
from sasom.promotions.models import Mode, Promotion, PromotionSettings, Status

_log = logging.getLogger("sasom.promotions")

_Entry = tuple[int, PromotionSet | None, frozenset[str], float]
_CACHE: dict[int, _Entry] = {}
_LOCK = threading.Lock()

GIFT_PARAM_TYPES = frozenset({"sku", "skus"})  # parameters naming an item a promotion gives


def _codes(values: Iterable[Any] | None) -> frozenset[str]:
    return frozenset(str(v) for v in (values or []) if str(v).strip())


def conditions_of(row: Promotion) -> Conditions:
    return Conditions(
        members_only=row.members_only,
        member_types=_codes(row.member_types),
        tiers=_codes(row.tiers),
        branches=_codes(row.branches),
        terminals=_codes(row.terminals),
        salespersons=_codes(row.salespersons),
        document_types=_codes(row.document_types),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        weekdays=frozenset(int(d) for d in row.weekdays or []),
        hours_from=row.hours_from,
        hours_to=row.hours_to,
        per_bill_limit=row.per_bill_limit,
        per_member_limit=row.per_member_limit,
        budget=row.budget,
    )


def items_of(row: Promotion) -> ItemSet:
    return ItemSet(
        skus=_codes(row.item_skus),
        categories=_codes(row.item_categories),
        brands=_codes(row.item_brands),
        exclude_skus=_codes(row.exclude_skus),
    )


def gift_skus_of(kind: str, params: dict[str, Any]) -> frozenset[str]:
    """The SKUs a promotion's parameters name as items it gives (free items, PWP items, their
    choices): its kind's parameters of type ``sku`` and ``skus``."""
    spec = KINDS.get(kind)
    if spec is None:
        return frozenset()
    out: set[str] = set()
    for p in spec.params:
        if p.type not in GIFT_PARAM_TYPES:
            continue
        value = params.get(p.name)
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list | tuple):
            out.update(str(v) for v in value)
    return frozenset(s for s in out if s)


def promotion_compile(row: Promotion, *, gifts_earn_points: bool = False, places: int | None = None) -> EnginePromotion:
    """One stored promotion as the engine's ``Promotion``. Raises ``KeyError`` (unknown kind) or
    ``ParamsError`` (parameters its kind refuses): :func:`promotions_compile` skips those rows;
    the services call it on a draft to refuse what would not compile. ``places``: the minor unit
    of the organization's currency (read when not given), which the texts the rule writes at
    build time use for their amounts."""
    spec = KINDS[row.kind]
    with amounts_in(organization_places(row.organization_id) if places is None else places):
        params = spec.clean(row.params or {})
        rule = spec.build(params, items_of(row))
    return EnginePromotion(
        id=row.pk or 0, code=row.code, name=row.name, kind=row.kind, rule=rule,
        conditions=conditions_of(row), priority=row.priority, stacks=row.stacks, message=row.message,
        members_earn_on_gifts=gifts_earn_points,
    )


def promotions_compile(organization_id: int) -> tuple[int, PromotionSet | None, frozenset[str]]:
    """Build from the database (2 queries): the version, the set (None without an active
    promotion that compiles) and the SKUs its promotions may give."""
    row = PromotionSettings.objects.filter(organization_id=organization_id).first()
    version = row.version if row is not None else 0
    mode = row.mode if row is not None else Mode.BEST
    gifts_earn = row.gifts_earn_points if row is not None else False
    compiled: list[EnginePromotion] = []
    gifts: set[str] = set()
    rows = (Promotion.objects.filter(organization_id=organization_id, status=Status.ACTIVE)
            .annotate(currency=F("organization__currency")).order_by("priority", "code"))
    for p in rows:
        try:
            # the currency comes with the rows (a join, not a query)
            places = places_of(p.currency)
            compiled.append(promotion_compile(p, gifts_earn_points=gifts_earn, places=places))
        except KeyError:
            _log.warning("promotion %s (organization %s) skipped: unknown kind %r", p.code, organization_id, p.kind)
            continue
        except (ParamsError, ValueError, TypeError) as exc:
            _log.warning("promotion %s (organization %s) skipped: parameters refused: %s", p.code, organization_id, exc)
            continue
        gifts |= gift_skus_of(p.kind, p.params or {})
    if not compiled:
        return version, None, frozenset()
    return version, promotion_set(str(mode), compiled, version), frozenset(gifts)


def promotions_version(organization_id: int) -> int:
    version = PromotionSettings.objects.filter(organization_id=organization_id).values_list("version", flat=True).first()
    return version or 0


def _entry(organization_id: int) -> _Entry:
    ttl = float(getattr(django_settings, "PROMOTIONS_TTL", getattr(django_settings, "EARNING_RULESET_TTL", 0)))
    now = time.monotonic()
    cached = _CACHE.get(organization_id)
    if cached is not None and ttl > 0 and now - cached[3] < ttl:
        return cached
    version = promotions_version(organization_id)
    if cached is not None and cached[0] == version:
        entry: _Entry = (version, cached[1], cached[2], now)
    else:
        compiled_version, pset, gifts = promotions_compile(organization_id)
        entry = (compiled_version, pset, gifts, now)
    with _LOCK:
        _CACHE[organization_id] = entry
    return entry


def promotion_set_for(organization_id: int) -> PromotionSet | None:
    """The organization's active promotions, compiled and indexed; None when it has none (so a
    shop without promotions pays one indexed query, or nothing within the TTL)."""
    return _entry(organization_id)[1]


def gift_skus_for(organization_id: int) -> frozenset[str]:
    """The SKUs the organization's active promotions may give (the till prices them)."""
    return _entry(organization_id)[2]


def gift_skus(pset: PromotionSet) -> set[str]:
    """The SKUs any promotion of ``pset`` may give (free and PWP items, their choices), for the
    till to price. ``pset`` is a set :func:`promotion_set_for` answered in this process."""
    for _version, cached, gifts, _at in list(_CACHE.values()):
        if cached is pset:
            return set(gifts)
    return set()


def promotions_forget(organization_id: int | None = None) -> None:
    """Drop this process's compiled set (one organization, or all)."""
    with _LOCK:
        if organization_id is None:
            _CACHE.clear()
        else:
            _CACHE.pop(organization_id, None)
