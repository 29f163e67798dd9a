"""Card usage (seed 003): how members use their card at the branches, and how often.

A visit is a member's sale (a bill with the member's card) that was not voided; amounts are the
sales' net less their returns, points the points they earned less those the returns took back
(``salesdata``: a voided or wholly returned sale does not count).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import (
    Case,
    IntegerField,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from sasom.reports.charts import bars
from sasom.reports.formatting import INT, MONEY, TEXT
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.regroup import ListRows, band_sql, regroup
from sasom.reports.salesdata import AMOUNT as AMOUNT
from sasom.reports.salesdata import with_average
from sasom.reports.salessource import measures_of, sales_of, visits_amount

DEFAULT_BANDS = (1, 2, 4, 7)  # 1, 2–3, 4–6, 7+
MAX_BANDS = 10


def bands_parse(text: str) -> tuple[int, ...]:
    """"1,2,4,7" (each band's lowest number of visits, rising) as a tuple; ValueError when not."""
    try:
        lows = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise ValueError("not numbers") from None
    if not lows or len(lows) > MAX_BANDS or lows[0] != 1 or lows[-1] > 10_000:  # from 1: every member has a band
        raise ValueError("out of range")
    if any(b <= a for a, b in zip(lows, lows[1:], strict=False)):
        raise ValueError("not rising")
    return lows


def bands_of(scope: Scope) -> tuple[tuple[int, int | None, str], ...]:
    """The chosen bands as (low, high or None, label): 1, 2–3, 4–6, 7+ by default."""
    text = scope.data.get("bands") or ""
    lows = bands_parse(text) if text else DEFAULT_BANDS  # the form checked it
    out = []
    for i, low in enumerate(lows):
        high = lows[i + 1] - 1 if i + 1 < len(lows) else None
        out.append((low, high, f"{low}+" if high is None else str(low) if high == low else f"{low}–{high}"))
    return tuple(out)


def band_case(field: str, bands: tuple[tuple[int, int | None, str], ...]) -> Case:
    """The index of the band ``field`` (a number of visits) falls in, in the database."""
    whens = [When(**{f"{field}__gte": low}, **({f"{field}__lte": high} if high else {}), then=Value(i))
             for i, (low, high, _label) in enumerate(bands)]
    return Case(*whens, output_field=IntegerField())


class BandsForm(ReportForm):
    bands = forms.CharField(label=_("Bands (lowest visits of each)"), required=False, max_length=60,
                            widget=forms.TextInput(attrs={"placeholder": "1,2,4,7"}),
                            help_text=_("For example 1,2,4,7 for 1, 2–3, 4–6 and 7 or more."))

    def clean_bands(self) -> str:
        text = (self.cleaned_data.get("bands") or "").strip()
        if not text:
            return ""
        try:
            return ",".join(str(low) for low in bands_parse(text))
        except ValueError:
            raise forms.ValidationError(_("Bands are up to ten rising whole numbers from 1, separated by commas."),
                                        code="bands") from None


@register
class CardUsageByBranch(Report):
    slug = "card-usage-by-branch"
    group = _("Card usage")
    title = _("Card usage by branch")
    description = _("Per branch: members who used their card, visits (bills), amount, average bill and points earned.")
    default_sort = "-amount"
    columns = (
        Column("branch", _("Branch"), TEXT, order="branch__code"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    note = _("A visit is a bill with a member's card, neither voided nor returned in full; amounts and points are "
             "net of returns. Members in the totals row count each member once.")

    def rows(self, scope: Scope) -> Rows:
        return sales_of(scope).values("branch__code", "branch__name").annotate(**measures_of(scope))

    def totals(self, scope: Scope) -> dict[str, Any]:
        totals = sales_of(scope).aggregate(**measures_of(scope))
        return with_average([totals])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["branch"] = f'{row["branch__code"]} {row["branch__name"]}'
        return with_average(rows)


@register
class VisitFrequency(Report):
    slug = "visit-frequency"
    group = _("Card usage")
    title = _("Visit frequency")
    description = _("Members grouped by how many times they used their card in the period: 1, 2–3, 4–6, 7+ "
                    "(or the bands you choose).")
    form_class = BandsForm
    default_sort = "band_label"
    columns = (
        Column("band_label", _("Visits in the period"), TEXT, order="band"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
    )
    note = _("Each member who used their card in the period counts in one group. Totals equal the card usage "
             "report's for the same filters.")

    def _bands(self, scope: Scope) -> list[dict[str, Any]]:
        """The band rows, once per screen: one GROUP BY member, then one by band (``regroup``)."""
        if "visit-frequency" not in scope.cache:
            per_member = sales_of(scope).order_by().values("member_id").annotate(**visits_amount(scope))
            scope.cache["visit-frequency"] = regroup(per_member, keys={"band": band_sql("n", bands_of(scope))})
        rows: list[dict[str, Any]] = scope.cache["visit-frequency"]
        return rows

    def rows(self, scope: Scope) -> Rows:
        return ListRows(self._bands(scope))  # type: ignore[return-value]  # pages, sorts, streams like one

    def totals(self, scope: Scope) -> dict[str, Any]:
        rows = self._bands(scope)
        totals = {"members": sum(r["members"] for r in rows), "visits": sum(r["visits"] for r in rows),
                  "amount": sum((r["amount"] for r in rows), Decimal("0.00"))}
        return with_average([totals])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["band_label"] = bands_of(scope)[row["band"]][2]
        return with_average(rows)

    def chart(self, scope: Scope) -> Any:
        found = {r["band"]: r["members"] for r in self._bands(scope)}
        bands = bands_of(scope)
        return bars(str(_("Members by visits in the period")), [label for _l, _h, label in bands],
                    [(str(_("Members")), [found.get(i, 0) for i in range(len(bands))])], height=240)
