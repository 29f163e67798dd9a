"""Card usage (seed 003), the rest: usage per card (member), overall per period, the monthly
frequency (visits per member, a column per month) and the frequency per period (members by
their visits in each month, in bands). Visits, amounts and points count as ``salesdata`` does:
net of returns, voided and wholly returned bills out."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sasom.members.models import Member
from sasom.reports import periods
from sasom.reports.charts import bars
from sasom.reports.formatting import (
    DATE,
    DATETIME,
    INT,
    MONEY,
    MONTH,
    TEXT,
    date_text,
    month_text,
)
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.periods import months_of
from sasom.reports.points import member_name
from sasom.reports.regroup import ListRows, band_sql, regroup
from sasom.reports.salesdata import with_average
from sasom.reports.salessource import (
    CountedRows,
    first_last,
    measures_of,
    month_in,
    per_member_measures,
    period_of,
    sales_of,
    visits_amount,
    visits_in,
)
from sasom.reports.usage import BandsForm, bands_of

MEMBER_FIELDS = ("member_id", "member__code", "member__first_name", "member__last_name", "member__member_type__name")


def period_text(day: dt.date | None, kind: str, organization: Any) -> str:
    """A quarter as ``Q4 2026`` (``ไตรมาส 4/2569`` in Thai with Buddhist-era years, ``Q3 1405`` for a
    Jalali shop's Mehr–Azar), a year as ``2026`` (``2569``, ``1405``); a month, a week or a day as
    the other reports write them."""
    if day is None:
        return ""
    if kind in ("week", "day"):
        return date_text(day, organization)
    if kind not in ("quarter", "year"):
        return month_text(day, organization)
    return periods.period_label(day, kind, organization, language=translation.get_language() or "")


def member_cells(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["code"] = row["member__code"]
        row["name"] = member_name(row, "member__")
        row["member_type"] = row["member__member_type__name"]


MEMBER_COLUMNS = (
    Column("code", _("Member code"), TEXT, order="member__code"),
    Column("name", _("Name"), TEXT, order="member__first_name"),
    Column("member_type", _("Member type"), TEXT, order="member__member_type__name"),
)


class PerMemberReport(Report):
    """A report with a row per member who came: the sales grouped by the member's id alone, sorted
    by a measure with ties by member id, counted by the totals' members (computed once per
    screen), the page's (or an export chunk's) members read in ``finish`` in one query by id: the
    join of every member who came before grouping was these reports' cost at a million members
    (as ``sales.TopSpenders``). Sorting by a member's code, name or type still joins the members."""

    def measures(self, scope: Scope) -> dict[str, Any]:
        raise NotImplementedError

    def rows(self, scope: Scope) -> Rows:
        return sales_of(scope).values("member_id").annotate(**self.measures(scope))

    def sorted_rows(self, scope: Scope, sort: str) -> Rows:
        sort = sort or self.default_sort
        column = next(c for c in self.columns if c.key == sort.lstrip("-"))
        count = lambda: self.totals(scope)["members"]  # noqa: E731
        if column.kind == TEXT:
            return cast(Rows, CountedRows(super().sorted_rows(scope, sort), count))
        assert column.order_field
        order = ("-" if sort.startswith("-") else "") + column.order_field
        return cast(Rows, CountedRows(self.rows(scope).order_by(order, "member_id"), count))

    def totals(self, scope: Scope) -> dict[str, Any]:
        key = f"{self.slug}-totals"
        if key not in scope.cache:
            scope.cache[key] = self.grand_totals(scope)
        return dict(scope.cache[key])

    def grand_totals(self, scope: Scope) -> dict[str, Any]:
        raise NotImplementedError

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        people = {m["id"]: m for m in Member.objects.filter(pk__in=[r["member_id"] for r in rows]).values(
            "id", "code", "first_name", "last_name", "member_type__name")}
        for row in rows:
            person = people[row["member_id"]]
            row.update({f"member__{k}": v for k, v in person.items() if k != "id"})
        member_cells(rows)
        return rows


@register
class CardUsageByMember(PerMemberReport):
    slug = "card-usage-by-card"
    group = _("Card usage")
    title = _("Card usage summary, all cards")
    description = _("Per member card: visits, amount, average bill, points earned, first and last visit in the period.")
    default_sort = "-visits"
    columns = (
        *MEMBER_COLUMNS,
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
        Column("first_at", _("First visit"), DATETIME),
        Column("last_at", _("Last visit"), DATETIME),
    )
    note = _("A visit is a bill with a member's card, neither voided nor returned in full; amounts and points are "
             "net of returns.")

    def measures(self, scope: Scope) -> dict[str, Any]:
        return {**per_member_measures(scope), **first_last(scope)}

    def grand_totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([sales_of(scope).aggregate(**measures_of(scope))])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        return with_average(super().finish(rows, scope))


class OverallForm(ReportForm):
    period = forms.ChoiceField(label=_("Group by"), required=False, initial="month", choices=[
        ("month", _("Month")), ("week", _("Week")), ("day", _("Day")), ("quarter", _("Quarter")), ("year", _("Year"))])


@register
class CardUsageOverall(Report):
    slug = "card-usage-overall"
    group = _("Card usage")
    title = _("Card usage summary, overall")
    description = _("All cards at all branches per month, week or day: members, visits, amount, average bill, points.")
    form_class = OverallForm
    default_sort = "period"
    columns = (
        Column("period", _("Period"), MONTH),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    note = _("Members in the totals row count each member once. Amounts and points are net of returns.")

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.last_months(today, 6, organization)

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        if scope.data.get("period") in ("day", "week"):
            return (Column("period", _("Period"), DATE), *self.columns[1:])
        if scope.data.get("period") in ("quarter", "year"):
            return (Column("period_label", _("Period"), TEXT, order="period"), *self.columns[1:])
        return self.columns

    def rows(self, scope: Scope) -> Rows:
        """The periods' rows (a few hundred at most), grouped once per screen for the page, its
        count and the chart."""
        if "overall" not in scope.cache:
            scope.cache["overall"] = list(
                sales_of(scope).annotate(period=period_of(scope, scope.data.get("period") or "month"))
                .values("period").annotate(**measures_of(scope)).order_by("period"))
        return ListRows(scope.cache["overall"])  # type: ignore[return-value]  # pages, sorts, streams like one

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([sales_of(scope).aggregate(**measures_of(scope))])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        kind = scope.data.get("period") or "month"
        for row in rows:
            row["period_label"] = period_text(row["period"], kind, scope.organization)
        return with_average(rows)

    def chart(self, scope: Scope) -> Any:
        rows = list(self.rows(scope).order_by("period"))
        kind = scope.data.get("period") or "month"
        labels = [period_text(r["period"], kind, scope.organization) for r in rows]
        return bars(str(_("Visits and members per period")), labels,
                    [(str(_("Visits")), [r["visits"] for r in rows]), (str(_("Members")), [r["members"] for r in rows])],
                    height=240)


@register
class MonthlyFrequency(PerMemberReport):
    slug = "monthly-frequency"
    group = _("Card usage")
    title = _("Monthly card usage frequency")
    description = _("Per member: visits in each month of the period (a column per month), all visits and the amount.")
    default_sort = "-visits"
    columns = (
        *MEMBER_COLUMNS,
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
    )
    note = _("A column per month of the period; a month cut by the period counts only its days inside it.")

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.last_months(today, 6, organization)

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        months = tuple(Column(f"m{i}", month_text(m, scope.organization), INT, total=True, order=None)
                       for i, m in enumerate(months_of(scope)))
        return (*self.columns[:3], *months, *self.columns[3:])

    def _per_month(self, scope: Scope) -> dict[str, Any]:
        return {f"m{i}": visits_in(month_in(m, scope), scope) for i, m in enumerate(months_of(scope))}

    def measures(self, scope: Scope) -> dict[str, Any]:
        """What the sort needs (visits, amount) over every member who came; the month columns are
        read for the page's members only (``finish``): a dozen filtered sums per summary row of
        the period were most of this report's time (docs/performance.md B7r)."""
        figures = measures_of(scope)
        return {"visits": figures["visits"], "amount": figures["amount"]}

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        months = {r["member_id"]: r for r in sales_of(scope).filter(member_id__in=[r["member_id"] for r in rows])
                  .order_by().values("member_id").annotate(**self._per_month(scope))}
        for row in rows:
            row.update({k: v for k, v in months[row["member_id"]].items() if k != "member_id"})
        return super().finish(rows, scope)

    def grand_totals(self, scope: Scope) -> dict[str, Any]:
        figures = measures_of(scope)
        return sales_of(scope).aggregate(**self._per_month(scope), visits=figures["visits"], amount=figures["amount"],
                                         members=figures["members"])


class FrequencyForm(BandsForm):
    period = forms.ChoiceField(label=_("Per"), required=False, initial="month", choices=[
        ("month", _("Month")), ("week", _("Week")), ("quarter", _("Quarter")), ("year", _("Year"))])


@register
class FrequencyPerPeriod(Report):
    slug = "frequency-per-period"
    group = _("Card usage")
    title = _("Card usage frequency per period")
    description = _("For each month (or week, quarter, year): members grouped by their visits in it (1, 2–3, 4–6, 7+ "
                    "or the bands you choose), with their visits and amount.")
    form_class = FrequencyForm
    default_sort = "month"
    columns = (
        Column("month", _("Period"), MONTH),
        Column("band_label", _("Visits in the period"), TEXT, order="band"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
    )
    note = _("A member counts once in each period they came, in the band of that period's visits. The members in "
             "the totals row are the members who came at all.")

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.last_months(today, 6, organization)

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        kind = scope.data.get("period") or "month"
        if kind == "week":  # a week by its first day (the shop's: Saturday for a Jalali shop, decision 0010)
            return (Column("month", _("Week of"), DATE), *self.columns[1:])
        if kind in ("quarter", "year"):  # its name (Q4 2026); sorted by its first day
            label = _("Quarter") if kind == "quarter" else _("Year")
            return (Column("period_label", label, TEXT, order="month"), *self.columns[1:])
        return self.columns

    def _bands(self, scope: Scope) -> list[dict[str, Any]]:
        """(period, band) rows, once per screen: one GROUP BY member and period, then one by
        period and band (``regroup``), instead of a subquery per sale."""
        if "frequency-per-period" not in scope.cache:
            period = period_of(scope, scope.data.get("period") or "month")
            per_member = (sales_of(scope).annotate(p=period).order_by().values("member_id", "p")
                          .annotate(**visits_amount(scope)))
            scope.cache["frequency-per-period"] = regroup(
                per_member, keys={"month": "p", "band": band_sql("n", bands_of(scope))}, dates=("month",))
        rows: list[dict[str, Any]] = scope.cache["frequency-per-period"]
        return rows

    def rows(self, scope: Scope) -> Rows:
        return ListRows(self._bands(scope))  # type: ignore[return-value]  # pages, sorts, streams like one

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([sales_of(scope).aggregate(**measures_of(scope))])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        bands = bands_of(scope)
        kind = scope.data.get("period") or "month"
        for row in rows:
            row["band_label"] = bands[row["band"]][2]
            row["period_label"] = period_text(row["month"], kind, scope.organization)
        return with_average(rows)

    def chart(self, scope: Scope) -> Any:
        bands = bands_of(scope)
        found = {(r["month"], r["band"]): r["members"] for r in self._bands(scope)}
        kind = scope.data.get("period") or "month"
        starts = sorted({p for p, _b in found}) if kind == "week" else periods.periods_in(scope, kind)
        labels = [period_text(p, kind, scope.organization) for p in starts]
        return bars(str(_("Members by visits, per period")), labels,
                    [(label, [found.get((p, i), 0) for p in starts]) for i, (_l, _h, label) in enumerate(bands)],
                    stacked=True, height=260)
