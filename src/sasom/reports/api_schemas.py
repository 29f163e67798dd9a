"""Schemas of the report builder's API (see :mod:`sasom.reports.api`).

The definition is typed loosely on purpose (lists of keys, dates as ISO text): what a dimension,
a measure, a period or a sort may be is decided by ``builder.definition_clean``, the validator the
builder's page uses, so the screen and the API refuse the same input with the same codes
(``builder.*``, 400, ``field`` naming the part). Only the shape (a field that is not declared, a
list that is not one) is the schema's: 422 ``invalid_input``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from sasom.core.schemas import StrictIn

NO_NUL = r"^[^\x00]*$"
Key = Annotated[str, Field(max_length=60, pattern=NO_NUL)]
Value = Annotated[str, Field(max_length=100, pattern=NO_NUL)]


class BuilderDefinitionIn(StrictIn):
    dimensions: list[Key] = Field(..., max_length=10, description="one or two keys of GET /reports/builder/fields "
                                                                  "(`custom:<key>` for a custom member field)",
                                  examples=[["month", "gender"]])
    measures: list[Key] = Field(..., max_length=20, examples=[["members", "bills", "amount"]])
    period: Key = Field("custom", description="custom (date_from and date_to) or a period relative to the day it "
                                              "runs: last_7_days, last_30_days, this_month, last_month, "
                                              "last_3_months, last_6_months")
    date_from: Key | None = Field(None, description="ISO date, the first day (custom period)",
                                  examples=["2026-10-01"])
    date_to: Key | None = Field(None, description="ISO date, the last day included (at most 366 days)",
                                examples=["2026-11-15"])
    branch: StrictInt | None = Field(None, description="a branch id (GET /reports/builder/fields); empty: every branch "
                                                 "the caller may see")
    member_type: StrictInt | None = None
    tier: Key = Field("", description="a tier id, `none` (members without a tier) or empty")
    values: dict[Key, list[Value]] = Field(default_factory=dict, description="values kept per dimension, e.g. "
                                           "{\"gender\": [\"female\"]}; for `tags`, the tags compared")
    sort: Key = Field("", description="d0, d1 or a measure; a leading - sorts descending")


class BuilderSavedIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    shared: StrictBool = Field(False, description="shared with every staff member of the organization who sees "
                                                  "reports (else private to its owner)")
    definition: BuilderDefinitionIn


class BuilderSavedPatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=100, pattern=NO_NUL)
    shared: StrictBool | None = None
    definition: BuilderDefinitionIn | None = None


class BuilderChoiceOut(Schema):
    key: str
    label: str


class BuilderDimensionOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text, month or date (the time dimensions)")
    time: bool
    on_lines: bool = Field(..., description="counted on sale lines (product category): points are not")
    values: list[BuilderChoiceOut] = Field(..., description="the values it may keep, when they are a fixed list")


class BuilderMeasureOut(Schema):
    key: str
    label: str
    kind: str = Field(..., description="int or money (a decimal string)")
    source: str = Field(..., description="sales (members' bills net of returns) or entries (points redeemed)")


class BuilderLimitsOut(Schema):
    dimensions: int
    values: int
    days: int
    rows: int


class BuilderFieldsOut(Schema):
    dimensions: list[BuilderDimensionOut]
    measures: list[BuilderMeasureOut]
    periods: list[BuilderChoiceOut]
    branches: list[BuilderChoiceOut] = Field(..., description="the branches the caller may see (key: the id)")
    member_types: list[BuilderChoiceOut]
    tiers: list[BuilderChoiceOut]
    limits: BuilderLimitsOut


class BuilderColumnOut(Schema):
    key: str
    label: str
    kind: str


class BuilderCellOut(Schema):
    key: str = Field(..., description="the dimension")
    value: str = Field(..., description="its value: a code, a name, an ISO date (a month's or week's first day); "
                                        "empty when the member has none")
    label: str = Field(..., description="as a person reads it (the organization's calendar for time)")


Measure = int | str | None


class BuilderRowOut(Schema):
    dimensions: list[BuilderCellOut]
    measures: dict[str, Measure] = Field(..., description="counts and points as integers, money as decimal "
                                                          "strings; an average without bills is null")


class BuilderResultOut(Schema):
    name: str = Field(..., description="the saved report's name; empty for a definition run as sent")
    date_from: dt.date
    date_to: dt.date
    definition: dict[str, Any] = Field(..., description="the definition as checked (as a saved report keeps it)")
    columns: list[BuilderColumnOut]
    count: int
    rows: list[BuilderRowOut]
    totals: dict[str, Measure] = Field(..., description="its own aggregate: a member counts once")


class BuilderSavedOut(Schema):
    id: int
    name: str
    shared: bool
    owner: str
    mine: bool = Field(..., description="the caller owns it (only the owner changes or deletes it)")
    scheduled: bool
    definition: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class BuilderSavedList(Schema):
    count: int
    items: list[BuilderSavedOut]


class BuilderExportQuery(Schema):
    format: Literal["csv", "xlsx", "pdf"] = "csv"


Address = Annotated[str, Field(max_length=254, pattern=NO_NUL)]


class BuilderScheduleIn(StrictIn):
    frequency: Key = Field("weekly", description="daily, weekly (Mondays) or monthly (the 1st)")
    format: Key = Field("xlsx", description="the file attached: csv, xlsx or pdf")
    recipients: list[Address] = Field(..., max_length=50, description="one to twenty e-mail addresses",
                                      examples=[["owner@example.com"]])
    active: StrictBool = True


class BuilderSchedulePatch(StrictIn):
    frequency: Key | None = None
    format: Key | None = None
    recipients: list[Address] | None = Field(None, max_length=50)
    active: StrictBool | None = None


class BuilderScheduleOut(Schema):
    id: int
    report_id: int
    frequency: str
    format: str
    recipients: list[str]
    active: bool
    last_sent_on: dt.date | None = Field(..., description="the last date it was sent for (the daily job)")


class BuilderScheduleList(Schema):
    count: int = Field(..., description="0 or 1: a saved report has one schedule")
    items: list[BuilderScheduleOut]
