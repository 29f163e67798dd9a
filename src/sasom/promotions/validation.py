"""A promotion's fields as the services take them: checked and normalized, every refusal a
``DomainError`` naming its field (the API answers it, the forms show it on the field).

Parameters go through their kind's ``clean`` (``engine.kinds.KINDS``); the codes a promotion
names (SKUs, categories, brands, member types, tiers, branches, terminals) must exist in the
organization.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sasom.catalog.models import Brand, Category, Product
from sasom.core.currency import amounts_in
from sasom.core.errors import DomainError
from sasom.members.models import MemberType
from sasom.organizations.models import Branch, Terminal
from sasom.organizations.selectors import organization_places
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import ParamsError
from sasom.promotions.errors import (
    PROMOTION_DATES_INVALID,
    PROMOTION_FIELD_INVALID,
    PROMOTION_HOURS_INVALID,
    PROMOTION_KIND_UNKNOWN,
    PROMOTION_PARAMS_INVALID,
    PROMOTION_UNKNOWN_CODE,
    PROMOTION_WEEKDAYS_INVALID,
)
from sasom.tiers.models import Tier

PROMOTION_FIELDS = [
    "code", "name", "kind", "params", "priority", "stacks", "message", "item_skus", "item_categories",
    "item_brands", "exclude_skus", "members_only", "member_types", "tiers", "branches", "terminals",
    "salespersons", "document_types", "starts_at", "ends_at", "weekdays", "hours_from", "hours_to",
    "per_bill_limit", "per_member_limit", "budget",
]
CODE_LISTS = ("item_skus", "item_categories", "item_brands", "exclude_skus", "member_types", "tiers", "branches",
              "terminals", "salespersons", "document_types")
LIMIT_MAX = 1_000_000_000
RESERVED_CODES = frozenset({"kinds", "settings", "preview", "new"})  # the API's and screens' own paths
PRIORITY_MAX = 1_000_000


def invalid(field: str, message: StrOrPromise, code: str = PROMOTION_FIELD_INVALID) -> DomainError:
    return DomainError(code, message, field=field)


def codes(values: Iterable[Any] | str | None, field: str = "") -> list[str]:
    """A list of codes from a list or a comma-separated text, trimmed, unique, sorted. In a text
    (a form) an empty part between commas is nothing; in a list (the API) an empty code is refused:
    dropped, ``item_skus: [""]`` would have become no item list, that is every line of the bill."""
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    elif any(not str(v).strip() for v in values or []):
        raise invalid(field, _("a code in the list is empty"))
    return sorted({str(v).strip() for v in (values or []) if str(v).strip()})


def _whole(data: dict[str, Any], field: str, low: int, high: int, *, optional: bool) -> int | None:
    raw = data.get(field)
    if raw in (None, ""):
        if optional:
            return None
        raw = 0
    if isinstance(raw, bool):
        raise invalid(field, _("must be a whole number"))
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise invalid(field, _("must be a whole number")) from None
    if not low <= value <= high:
        raise invalid(field, _("must be between %(low)s and %(high)s") % {"low": low, "high": high})
    return value


def _weekdays(values: Any) -> list[int]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    out: set[int] = set()
    for v in values or []:
        try:
            n = int(str(v).strip())
        except (TypeError, ValueError):
            raise invalid("weekdays", _("days are numbers from 0 (Monday) to 6 (Sunday)"),
                          PROMOTION_WEEKDAYS_INVALID) from None
        if not 0 <= n <= 6:
            raise invalid("weekdays", _("days are numbers from 0 (Monday) to 6 (Sunday)"), PROMOTION_WEEKDAYS_INVALID)
        out.add(n)
    return sorted(out)


def _moment(data: dict[str, Any], field: str) -> dt.datetime | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise invalid(field, _("not a date and time"), PROMOTION_DATES_INVALID) from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise invalid(field, _("a date-time needs a time zone"), PROMOTION_DATES_INVALID)
    return value


def _hour(data: dict[str, Any], field: str) -> dt.time | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.time.fromisoformat(value)
        except ValueError:
            raise invalid(field, _("not a time of day (HH:MM)"), PROMOTION_HOURS_INVALID) from None
    if not isinstance(value, dt.time):
        raise invalid(field, _("not a time of day (HH:MM)"), PROMOTION_HOURS_INVALID)
    return value


def _plain(value: Any) -> Any:
    """Cleaned parameters as JSON (Decimals as text, tuples as lists)."""
    return json.loads(json.dumps(value, default=str))


def params_clean(kind: str, params: Any) -> dict[str, Any]:
    """The kind's ``clean`` over raw parameters; a refusal names ``params.<its field>``."""
    if not isinstance(params, dict):
        raise invalid("params", _("parameters must be an object"), PROMOTION_PARAMS_INVALID)
    try:
        cleaned = KINDS[kind].clean(params)
    except ParamsError as exc:
        raise invalid(f"params.{exc.field}" if exc.field else "params", exc.message, PROMOTION_PARAMS_INVALID) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise invalid("params", str(exc), PROMOTION_PARAMS_INVALID) from None
    return dict(_plain(cleaned))


def _param_skus(kind: str, params: dict[str, Any]) -> dict[str, list[str]]:
    """The SKUs the parameters name, by parameter (types ``sku``, ``skus`` and ``mix``)."""
    out: dict[str, list[str]] = {}
    for spec in KINDS[kind].params:
        value = params.get(spec.name)
        if value in (None, "", []):
            continue
        if spec.type == "sku":
            out[spec.name] = [str(value)]
        elif spec.type == "skus" and isinstance(value, list):
            out[spec.name] = [str(v) for v in value]
        elif spec.type == "mix" and isinstance(value, list):
            out[spec.name] = [str(row.get("sku", "")) for row in value if isinstance(row, dict)]
    return out


def _missing(model: type[Model], field: str, organization_id: int, wanted: list[str]) -> list[str]:
    if not wanted:
        return []
    found = set(model._default_manager.filter(organization_id=organization_id, **{f"{field}__in": wanted})
                .values_list(field, flat=True))
    return [c for c in wanted if c not in found]


_KNOWN: dict[str, tuple[type[Model], str]] = {
    "item_skus": (Product, "sku"), "exclude_skus": (Product, "sku"), "item_categories": (Category, "code"),
    "item_brands": (Brand, "code"), "member_types": (MemberType, "code"), "tiers": (Tier, "code"),
    "branches": (Branch, "code"), "terminals": (Terminal, "code"),
}


def check_known(organization_id: int, values: dict[str, Any]) -> None:
    for field, (model, column) in _KNOWN.items():
        missing = _missing(model, column, organization_id, values[field])
        if missing:
            raise invalid(field, _("not found: %(codes)s") % {"codes": ", ".join(missing)}, PROMOTION_UNKNOWN_CODE)
    for name, skus in _param_skus(values["kind"], values["params"]).items():
        missing = _missing(Product, "sku", organization_id, sorted(set(skus)))
        if missing:
            raise invalid(f"params.{name}", _("not found: %(codes)s") % {"codes": ", ".join(missing)},
                          PROMOTION_UNKNOWN_CODE)


def _params_in(organization_id: int, kind: str, params: Any) -> dict[str, Any]:
    """``params_clean`` with money parameters in the organization's minor unit (whole rial in IRR)."""
    with amounts_in(organization_places(organization_id)):
        return params_clean(kind, params)


def promotion_values(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Every stored field of a promotion from ``data`` (the whole promotion, not a patch)."""
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    kind = str(data.get("kind") or "").strip()
    if not code:
        raise invalid("code", _("code is required"))
    if len(code) > 40:
        raise invalid("code", _("at most 40 characters"))
    if code.lower() in RESERVED_CODES or "/" in code:
        raise invalid("code", _("this code is reserved; choose another"))
    if not code.isprintable() or not code.strip("."):  # a tab, a zero-width space; "." and ".." are no path
        raise invalid("code", _("letters, digits, spaces and punctuation only"))
    if not name:
        raise invalid("name", _("name is required"))
    if len(name) > 200:
        raise invalid("name", _("at most 200 characters"))
    if kind not in KINDS:
        raise invalid("kind", _("unknown promotion kind %(kind)s") % {"kind": repr(kind)}, PROMOTION_KIND_UNKNOWN)
    message = str(data.get("message") or "").strip()
    if len(message) > 200:
        raise invalid("message", _("at most 200 characters"))
    starts_at, ends_at = _moment(data, "starts_at"), _moment(data, "ends_at")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise invalid("ends_at", _("the end must be after the start"), PROMOTION_DATES_INVALID)
    hours_from, hours_to = _hour(data, "hours_from"), _hour(data, "hours_to")
    if (hours_from is None) != (hours_to is None):
        raise invalid("hours_to" if hours_to is None else "hours_from",
                      _("give both ends of the daily hours, or neither"), PROMOTION_HOURS_INVALID)
    if hours_from is not None and hours_from == hours_to:  # 22:00-02:00 runs over midnight
        raise invalid("hours_to", _("the daily hours are empty"), PROMOTION_HOURS_INVALID)
    values: dict[str, Any] = {
        "code": code, "name": name, "kind": kind, "message": message,
        "params": _params_in(organization_id, kind, data.get("params") or {}),
        "priority": _whole(data, "priority", 0, PRIORITY_MAX, optional=False) if data.get("priority") not in (None, "")
        else 100,
        "stacks": bool(data.get("stacks")),
        "members_only": bool(data.get("members_only")),
        "starts_at": starts_at, "ends_at": ends_at, "hours_from": hours_from, "hours_to": hours_to,
        "weekdays": _weekdays(data.get("weekdays")),
    }
    for field in ("per_bill_limit", "per_member_limit", "budget"):
        values[field] = _whole(data, field, 1, LIMIT_MAX, optional=True)
    for field in CODE_LISTS:
        values[field] = codes(data.get(field), field)
    if values["member_types"] or values["tiers"]:
        values["members_only"] = True  # a member type or tier condition cannot match a walk-in customer
    check_known(organization_id, values)
    return values


def stored(promotion: Any) -> dict[str, Any]:
    """A stored promotion's fields as :func:`promotion_values` takes them (for updates and copies)."""
    return {f: getattr(promotion, f) for f in PROMOTION_FIELDS}


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Fields as the audit trail stores them (JSON: times and Decimals as text)."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, dt.datetime | dt.time):
            out[k] = v.isoformat()
        elif isinstance(v, Decimal):
            out[k] = str(v)
        else:
            out[k] = v
    return out
