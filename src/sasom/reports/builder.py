"""The report builder (seed 001's "BI"): a definition of dimensions, measures, filters and a sort,
checked here, computed by :mod:`sasom.reports.builder_query`.

A definition is plain JSON (saved reports and schedules keep it as is):

    {"dimensions": ["month", "gender"], "measures": ["members", "amount"],
     "period": "custom", "date_from": "2026-10-01", "date_to": "2026-11-15",
     "branch": 3, "member_type": null, "tier": "", "values": {"gender": ["female"]}, "sort": "-amount"}

At most **two dimensions**: a table of two is still read by eye and drawn as one chart (series of
the second dimension per value of the first); a third multiplies the rows past what a screen or
a chart can say, and a spreadsheet pivots the CSV/XLSX further. The period is required and at
most :data:`MAX_DAYS` long (a day dimension over a year is 366 rows per value of the other).
A saved report may use a period relative to the day it runs ("last month"), which a schedule
needs. Every refusal is a :class:`DomainError` whose ``field`` names the part that is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars
from sasom.core.errors import DomainError
from sasom.members.models import CustomField, Member
from sasom.reports.formatting import DATE, INT, MONEY, MONTH, TEXT
from sasom.reports.framework import NO_TIER
from sasom.reports.sales import AGE_BANDS

MAX_DAYS = 366
MAX_DIMENSIONS = 2
MAX_VALUES = 20  # values kept of one dimension (and tags compared)
MAX_GROUPS = 10000  # rows one result may have; beyond it, narrow the filters

UNKNOWN_DIMENSION = "builder.unknown_dimension"
UNKNOWN_MEASURE = "builder.unknown_measure"
NO_MEASURE = "builder.no_measure"
BAD_PERIOD = "builder.bad_period"
PERIOD_TOO_LONG = "builder.period_too_long"
BAD_SORT = "builder.bad_sort"
BAD_FILTER = "builder.bad_filter"
BAD_VALUES = "builder.bad_values"
NOT_COMBINABLE = "builder.not_combinable"
TAGS_NEEDED = "builder.tags_needed"
TOO_MANY_GROUPS = "builder.too_many_groups"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str | Promise
    kind: str = TEXT  # DATE, MONTH for the time dimensions
    time: bool = False
    on_lines: bool = False  # only sale lines have it (product category)


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in (
    Dimension("member_type", _("Member type")),
    Dimension("tier", _("Tier")),
    Dimension("branch", _("Branch")),
    Dimension("gender", _("Gender")),
    Dimension("age", _("Age band")),
    Dimension("occupation", _("Occupation")),
    Dimension("marital_status", _("Marital status")),
    Dimension("tags", _("Interests / tags")),
    Dimension("month", _("Month"), MONTH, time=True),
    Dimension("week", _("Week (its first day)"), DATE, time=True),  # the shop's week (periods)
    Dimension("day", _("Day"), DATE, time=True),
    Dimension("category", _("Product category"), on_lines=True),
)}
CUSTOM = "custom:"  # "custom:<key>" groups by a custom member field


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    kind: str
    source: str  # "sales" (or their lines), "entries"


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("members", _("Members"), INT, "sales"),
    Measure("bills", _("Bills"), INT, "sales"),
    Measure("visits", _("Visits"), INT, "sales"),
    Measure("amount", _("Sales amount"), MONEY, "sales"),
    Measure("average", _("Average bill"), MONEY, "sales"),
    Measure("points_earned", _("Points earned"), INT, "sales"),
    Measure("points_redeemed", _("Points redeemed"), INT, "entries"),
)}

PERIODS: dict[str, str | Promise] = {
    "custom": _("The dates chosen"), "last_7_days": _("The last 7 days"), "last_30_days": _("The last 30 days"),
    "this_month": _("This month"), "last_month": _("Last month"), "last_3_months": _("The last 3 whole months"),
    "last_6_months": _("The last 6 whole months"),
}


@dataclass(frozen=True)
class Definition:
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    period: str
    date_from: dt.date | None
    date_to: dt.date | None
    branch: int | None = None
    member_type: int | None = None
    tier: str = ""
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"dimensions": list(self.dimensions), "measures": list(self.measures), "period": self.period,
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "branch": self.branch, "member_type": self.member_type, "tier": self.tier,
                "values": {k: list(v) for k, v in self.values.items()}, "sort": self.sort}

    @property
    def on_lines(self) -> bool:
        return "category" in self.dimensions or "category" in self.values

    def keys(self) -> list[str]:
        """The sortable column keys: ``d0``, ``d1`` and the measures."""
        return [f"d{i}" for i in range(len(self.dimensions))] + list(self.measures)

    def dates(self, today: dt.date, calendar: str = calendars.GREGORIAN) -> tuple[dt.date, dt.date]:
        """The period's first and last day (inclusive), relative periods counted from ``today`` in
        the months of ``calendar`` (``periods.month_calendar``: a Jalali shop's "last month")."""
        if self.period == "custom":
            assert self.date_from and self.date_to
            return self.date_from, self.date_to
        return period_dates(self.period, today, calendar)


def period_dates(period: str, today: dt.date, calendar: str = calendars.GREGORIAN) -> tuple[dt.date, dt.date]:
    this_month = calendars.month_start(today, calendar)
    if period == "last_7_days":
        return today - dt.timedelta(days=7), today - dt.timedelta(days=1)
    if period == "last_30_days":
        return today - dt.timedelta(days=30), today - dt.timedelta(days=1)
    if period == "this_month":
        return this_month, today
    whole = {"last_month": 1, "last_3_months": 3, "last_6_months": 6}[period]
    return calendars.add_months(this_month, -whole, calendar), this_month - dt.timedelta(days=1)


def dimension_of(key: str) -> Dimension:
    if key.startswith(CUSTOM):
        return Dimension(key, key[len(CUSTOM):])
    return DIMENSIONS[key]


def _list(value: Any, name: str) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return list(value)
    raise DomainError(BAD_FILTER, _("This is not a list."), field=name)


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(BAD_PERIOD, _("This is not a date."), field=name) from None


def _int(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(BAD_FILTER, _("Choose one of the list."), field=name) from None


VALUE_CHOICES: dict[str, set[str]] = {
    "gender": {c for c, _l in Member.Gender.choices}, "marital_status": {c for c, _l in Member.MaritalStatus.choices},
    "age": {label for _lo, _hi, label in AGE_BANDS},
}


def definition_clean(data: Mapping[str, Any], *, organization_id: int, branch_ids: set[int] | None,
                     member_type_ids: set[int], tier_ids: set[str], custom_keys: set[str] | None = None) -> Definition:
    """A checked :class:`Definition` from plain data (a form's, a saved report's, an API body's).

    ``branch_ids`` are the branches the staff member may see (None: all); ``tier_ids`` the
    organization's tiers as strings. Raises :class:`DomainError` naming the field."""
    if custom_keys is None:
        custom_keys = set(CustomField.objects.filter(organization_id=organization_id).values_list("key", flat=True))
    dimensions = [str(d) for d in _list(data.get("dimensions"), "dimensions") if d]
    if not dimensions:
        raise DomainError(UNKNOWN_DIMENSION, _("Choose at least one dimension."), field="dimensions")
    if len(dimensions) > MAX_DIMENSIONS or len(set(dimensions)) != len(dimensions):
        raise DomainError(UNKNOWN_DIMENSION, _("Choose one or two different dimensions."), field="dimensions")
    for key in dimensions:
        known = key in DIMENSIONS or (key.startswith(CUSTOM) and key[len(CUSTOM):] in custom_keys)
        if not known:
            raise DomainError(UNKNOWN_DIMENSION, _("Unknown dimension: %(key)s.") % {"key": key[:40]},
                              field="dimensions")
    if sum(1 for k in dimensions if k in DIMENSIONS and DIMENSIONS[k].time) > 1:
        raise DomainError(UNKNOWN_DIMENSION, _("Choose one time dimension at most."), field="dimensions")
    measures = [str(m) for m in _list(data.get("measures"), "measures") if m]
    if not measures:
        raise DomainError(NO_MEASURE, _("Choose at least one measure."), field="measures")
    for key in measures:
        if key not in MEASURES:
            raise DomainError(UNKNOWN_MEASURE, _("Unknown measure: %(key)s.") % {"key": key[:40]}, field="measures")
    measures = list(dict.fromkeys(measures))
    values = _values(data.get("values") or {}, dimensions, custom_keys)
    if ("category" in dimensions or "category" in values) and ("points_earned" in measures
                                                               or "points_redeemed" in measures):
        raise DomainError(NOT_COMBINABLE, _("Points are not counted per product category: choose another "
                                            "dimension or other measures."), field="measures")
    period = str(data.get("period") or "custom")
    if period not in PERIODS:
        raise DomainError(BAD_PERIOD, _("Choose one of the periods."), field="period")
    start, end = _date(data.get("date_from"), "date_from"), _date(data.get("date_to"), "date_to")
    if period == "custom":
        if start is None or end is None:
            raise DomainError(BAD_PERIOD, _("Choose the first and the last day."),
                              field="date_from" if start is None else "date_to")
        if end < start:
            raise DomainError(BAD_PERIOD, _("The period ends before it starts."), field="date_to")
        if (end - start).days >= MAX_DAYS:
            raise DomainError(PERIOD_TOO_LONG, _("The report builder covers at most 366 days; choose a shorter "
                                                 "period."), field="date_to")
    else:
        start = end = None
    branch = _int(data.get("branch"), "branch")
    if branch is not None and branch_ids is not None and branch not in branch_ids:
        raise DomainError(BAD_FILTER, _("Choose one of your branches."), field="branch")
    member_type = _int(data.get("member_type"), "member_type")
    if member_type is not None and member_type not in member_type_ids:
        raise DomainError(BAD_FILTER, _("Choose one of the list."), field="member_type")
    tier = str(data.get("tier") or "")
    if tier and tier != NO_TIER and tier not in tier_ids:
        raise DomainError(BAD_FILTER, _("Choose one of the list."), field="tier")
    sort = str(data.get("sort") or "")
    keys = [f"d{i}" for i in range(len(dimensions))] + measures
    if sort and sort.lstrip("-") not in keys:
        raise DomainError(BAD_SORT, _("Sort by a dimension or a measure of the report."), field="sort")
    return Definition(dimensions=tuple(dimensions), measures=tuple(measures), period=period, date_from=start,
                      date_to=end, branch=branch, member_type=member_type, tier=tier, values=values, sort=sort)


NAME_VALUE = re.compile(r"^[^\x00-\x1f]{1,100}$")


def _values(raw: Any, dimensions: list[str], custom_keys: set[str]) -> dict[str, tuple[str, ...]]:
    """The values kept of a dimension (``{"gender": ["female"]}``); the tags compared."""
    if not isinstance(raw, Mapping):
        raise DomainError(BAD_VALUES, _("Values are given per dimension."), field="values")
    out: dict[str, tuple[str, ...]] = {}
    for key, listed in raw.items():
        key = str(key)
        known = key in DIMENSIONS or (key.startswith(CUSTOM) and key[len(CUSTOM):] in custom_keys)
        if not known or dimension_of(key).time:
            raise DomainError(BAD_VALUES, _("Values are kept of a listed dimension other than time."),
                              field="values")
        items = [str(v).strip() for v in _list(listed, "values") if str(v).strip()]
        if len(items) > MAX_VALUES or any(not NAME_VALUE.match(v) for v in items):
            raise DomainError(BAD_VALUES, _("At most 20 values of up to 100 characters each."), field="values")
        allowed = VALUE_CHOICES.get(key)
        if allowed is not None and not set(items) <= allowed:
            raise DomainError(BAD_VALUES, _("Unknown value for %(dimension)s.") % {"dimension": key}, field="values")
        if items:
            out[key] = tuple(dict.fromkeys(items))
    if "tags" in dimensions and not out.get("tags"):
        raise DomainError(TAGS_NEEDED, _("Name the tags to compare (up to 20)."), field="values")
    return out
