"""The report builder's reads: one grouped query per source of measures, one aggregate per source
for the totals, whatever the data.

The sources are those of the other reports, so the builder's figures reconcile with them:

- **sales** (members, bills, visits, amount, average bill, points earned): the members' sales that
  count, net of returns and voids (``salesdata.member_sales``; with a product category, their
  lines as ``purchases.lines_counted`` counts them, net of returned lines);
- **entries** (points redeemed): the ledger's redeem and paid-with-points entries of the period
  (``points.SPENT_KINDS``), by the entry's own branch and the account's member.

A *visit* is a member's day: two bills of one member on one local day are one visit (bills counts
both). Member attributes are today's (type, tier, age band), as in the sales analyses.

Tags are a list on the member, so a member may fall in several groups: the tags compared are
named in the definition and each is a filtered aggregate of the same grouped query (one row per
tag and value of the other dimension). The totals row counts every member, bill and baht once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils.translation import gettext as _

from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.ledger.models import Entry
from sasom.members.models import Member
from sasom.reports.builder import CUSTOM, MAX_GROUPS, TOO_MANY_GROUPS, Definition
from sasom.reports.framework import Scope, branch_filter, tier_filter
from sasom.reports.periods import period_bucket
from sasom.reports.points import SPENT_KINDS
from sasom.reports.purchases import lines_counted
from sasom.reports.sales import age_band
from sasom.reports.salesdata import (
    AMOUNT,
    line_net_after_returns,
    member_sales,
    net_after_returns,
    points_after_returns,
)
from sasom.tiers.models import MemberTier


@dataclass(frozen=True)
class Paths:
    """Where a source keeps the member, the time and the branch."""

    member: str
    member_id: str
    at: str
    branch: str
    sale_id: str = "id"


SALES = Paths(member="member__", member_id="member_id", at="occurred_at", branch="branch__code")
LINES = Paths(member="sale__member__", member_id="sale__member_id", at="sale__occurred_at",
              branch="sale__branch__code", sale_id="sale_id")
ENTRIES = Paths(member="account__member__", member_id="account__member_id", at="occurred_at", branch="branch__code")


def tag_q(paths: Paths, tag: str) -> Q:
    """The member has this tag (the segments app reads tags the same way on both databases)."""
    return Q(**{f"{paths.member}tags__icontains": f'"{tag}"'})


def dimension_expression(key: str, paths: Paths, scope: Scope) -> Any:
    if key.startswith(CUSTOM):
        text = KeyTextTransform(key[len(CUSTOM):], f"{paths.member}custom")
        return Coalesce(text, Value(""), output_field=CharField())
    if key == "tier":
        tier = MemberTier.objects.filter(member_id=OuterRef(paths.member_id), tier__isnull=False).values("tier__name")
        return Coalesce(Subquery(tier[:1]), Value(""), output_field=CharField())
    if key in ("month", "week"):  # ``periods``: the organization's months (Jalali...) and weeks (its first weekday)
        return period_bucket(key, paths.at, scope)
    if key == "day":
        return TruncDate(paths.at, tzinfo=scope.zone)
    if key == "age":
        return age_band(scope.today(), paths.member)
    if key == "branch":
        return Coalesce(F(paths.branch), Value(""), output_field=CharField())
    if key == "member_type":
        return F(f"{paths.member}member_type__name")
    if key == "category":
        return F("category")
    return F(f"{paths.member}{key}")  # gender, occupation, marital_status


def _sales_measures(paths: Paths, scope: Scope, lines: bool, only: Q | None = None) -> dict[str, Any]:
    day = Cast(TruncDate(paths.at, tzinfo=scope.zone), CharField())
    visit = Concat(Cast(paths.member_id, CharField()), Value("/"), day, output_field=CharField())
    amount = line_net_after_returns() if lines else net_after_returns()
    out = {
        "members": Count(paths.member_id, distinct=True, filter=only),
        "bills": Count(paths.sale_id, distinct=lines, filter=only),
        "visits": Count(visit, distinct=True, filter=only),
        "amount": Coalesce(Sum(amount, output_field=AMOUNT, filter=only), Decimal("0"), output_field=AMOUNT),
    }
    if not lines:
        out["points_earned"] = Coalesce(Sum(points_after_returns(), output_field=IntegerField(), filter=only), 0,
                                        output_field=IntegerField())
    return out


def _entries_measures(only: Q | None = None) -> dict[str, Any]:
    return {"points_redeemed": Coalesce(Sum("amount", filter=only), 0, output_field=IntegerField())}


def _filtered(qs: QuerySet[Any], definition: Definition, paths: Paths, scope: Scope) -> QuerySet[Any]:
    """The kept values of each dimension (and the members with any of the tags named)."""
    for key, values in definition.values.items():
        if key == "tags":
            any_tag = Q()
            for tag in values:
                any_tag |= tag_q(paths, tag)
            qs = qs.filter(any_tag)
        else:
            name = "keep_" + key.replace(":", "_")
            qs = qs.annotate(**{name: dimension_expression(key, paths, scope)}).filter(**{f"{name}__in": values})
    return qs


def sales_base(definition: Definition, scope: Scope) -> tuple[QuerySet[Any], Paths, bool]:
    if definition.on_lines:
        return _filtered(lines_counted(scope), definition, LINES, scope), LINES, True
    return _filtered(member_sales(scope), definition, SALES, scope), SALES, False


def entries_base(definition: Definition, scope: Scope) -> QuerySet[Entry]:
    entries = Entry.objects.filter(organization_id=scope.organization.pk, kind__in=SPENT_KINDS,
                                   occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at,
                                   **branch_filter(scope, "branch_id"))
    if scope.member_type is not None:
        entries = entries.filter(account__member__member_type_id=scope.member_type.pk)
    return _filtered(entries.filter(tier_filter(scope, "account__member_id")), definition, ENTRIES, scope)


def _grouped(qs: QuerySet[Any], definition: Definition, paths: Paths, scope: Scope,
             measures: dict[str, Any]) -> list[dict[str, Any]]:
    """One grouped query; with tags, each tag's measures are filtered aggregates, unpivoted here."""
    others = [d for d in definition.dimensions if d != "tags"]
    names = {d: f"g{i}" for i, d in enumerate(others)}
    qs = qs.order_by().annotate(**{names[d]: dimension_expression(d, paths, scope) for d in others})
    tags = definition.values.get("tags", ()) if "tags" in definition.dimensions else ()
    if not tags:
        rows = list(qs.values(*names.values()).annotate(**measures)[: MAX_GROUPS + 1])
        return [{**row, **{d: row.get(names[d]) for d in others}} for row in rows]
    keyed = {f"{m}__{i}": _refiltered(m, paths, scope, definition, tag)
             for i, tag in enumerate(tags) for m in measures}
    rows = (list(qs.values(*names.values()).annotate(**keyed)[: MAX_GROUPS + 1]) if names
            else [qs.aggregate(**keyed)])
    out = []
    for row in rows:
        for i, tag in enumerate(tags):
            values = {m: row[f"{m}__{i}"] for m in measures}
            if not any(values.values()):
                continue
            out.append({**values, "tags": tag, **{d: row.get(names[d]) for d in others}})
    return out


def _refiltered(measure: str, paths: Paths, scope: Scope, definition: Definition, tag: str) -> Any:
    only = tag_q(paths, tag)
    if measure == "points_redeemed":
        return _entries_measures(only)[measure]
    return _sales_measures(paths, scope, definition.on_lines, only)[measure]


@dataclass
class Result:
    rows: list[dict[str, Any]]  # d0, d1 (raw values), d0_label, d1_label, and the measures
    totals: dict[str, Any]


def _wanted_sales(definition: Definition) -> bool:
    return any(m != "points_redeemed" for m in definition.measures)


def _sales_measure_set(definition: Definition, paths: Paths, scope: Scope, lines: bool) -> dict[str, Any]:
    every = _sales_measures(paths, scope, lines)
    wanted = set(definition.measures) | ({"amount", "bills"} if "average" in definition.measures else set())
    return {k: v for k, v in every.items() if k in wanted}


def result_compute(definition: Definition, scope: Scope) -> Result:
    """The rows (merged over the sources by the dimensions' values), sorted, and the totals."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    totals: dict[str, Any] = {}
    if _wanted_sales(definition):
        qs, paths, lines = sales_base(definition, scope)
        measures = _sales_measure_set(definition, paths, scope, lines)
        _merge(merged, _grouped(qs, definition, paths, scope, measures), definition)
        totals.update(_totals(qs, definition, paths, measures))
    if "points_redeemed" in definition.measures:
        qs = entries_base(definition, scope)
        _merge(merged, _grouped(qs, definition, ENTRIES, scope, _entries_measures()), definition)
        totals.update(_totals(qs, definition, ENTRIES, _entries_measures()))
    if len(merged) > MAX_GROUPS:
        raise DomainError(TOO_MANY_GROUPS, _("More than %(n)s rows: choose fewer dimensions, a shorter period "
                                             "or fewer values.") % {"n": f"{MAX_GROUPS:,}"}, field="dimensions")
    rows = [_finished(row, definition) for row in merged.values()]
    _average(totals, definition)
    return Result(rows=rows_sorted(rows, definition.sort, definition), totals=totals)


def _totals(qs: QuerySet[Any], definition: Definition, paths: Paths, measures: dict[str, Any]) -> dict[str, Any]:
    if "tags" in definition.dimensions:  # every member with any of the tags compared, once
        any_tag = Q()
        for tag in definition.values.get("tags", ()):
            any_tag |= tag_q(paths, tag)
        qs = qs.filter(any_tag)
    return dict(qs.order_by().aggregate(**measures))


def _merge(merged: dict[tuple[Any, ...], dict[str, Any]], rows: list[dict[str, Any]], definition: Definition) -> None:
    for row in rows:
        key = tuple("" if row.get(d) is None else row.get(d) for d in definition.dimensions)
        target = merged.setdefault(key, {f"d{i}": v for i, v in enumerate(key)})
        for measure in ("members", "bills", "visits", "amount", "points_earned", "points_redeemed"):
            if measure in row:
                target[measure] = row[measure]


ZERO: dict[str, Any] = {"members": 0, "bills": 0, "visits": 0, "amount": Decimal("0"), "points_earned": 0,
                        "points_redeemed": 0}


def _average(row: dict[str, Any], definition: Definition) -> None:
    if row.get("amount") is not None:
        row["amount"] = money(row["amount"])
    if "average" in definition.measures:
        bills = row.get("bills") or 0
        row["average"] = money(row["amount"] / bills) if bills else None


def _finished(row: dict[str, Any], definition: Definition) -> dict[str, Any]:
    for measure in definition.measures:
        if measure != "average":
            row.setdefault(measure, ZERO[measure])
    _average(row, definition)
    labels = {"gender": dict(Member.Gender.choices), "marital_status": dict(Member.MaritalStatus.choices)}
    for i, key in enumerate(definition.dimensions):
        value = row[f"d{i}"]
        if isinstance(value, dt.date):
            row[f"d{i}_label"] = value
        else:
            row[f"d{i}_label"] = str(labels.get(key, {}).get(value, value)) if value not in ("", None) else "—"
    return row


def rows_sorted(rows: list[dict[str, Any]], sort: str, definition: Definition) -> list[dict[str, Any]]:
    """By the chosen key (a dimension ``d0``/``d1`` or a measure), then the dimensions, for a stable order."""
    def plain(value: Any) -> tuple[int, Any]:
        if value is None or value == "":
            return (1, "")
        return (0, value if not isinstance(value, str) else value.casefold())

    dims = [f"d{i}" for i in range(len(definition.dimensions))]
    ordered = sorted(rows, key=lambda r: tuple(plain(r.get(d)) for d in dims))
    if sort:
        key = sort.lstrip("-")
        present = [r for r in ordered if r.get(key) not in (None, "")]
        missing = [r for r in ordered if r.get(key) in (None, "")]
        present.sort(key=lambda r: plain(r.get(key)), reverse=sort.startswith("-"))
        ordered = present + missing
    return ordered
