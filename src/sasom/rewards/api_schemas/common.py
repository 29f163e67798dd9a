"""What the rewards API's schemas share: bounded field types, output helpers (money as a decimal
string, date-times in the server's zone), the input base that refuses non-objects, and the member
reference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field
from pydantic import AfterValidator, BeforeValidator

from sasom.core.inputs import api_local_time, iso_text_only
from sasom.core.money import money_text
from sasom.core.schemas import StrictIn

NO_NUL = r"^[^\x00]*$"
MONEY = r"^\d{1,10}(\.\d{1,2})?$"
PERCENT = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
POINTS_MAX = 1_000_000_000
COUNT_MAX = 1_000_000

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)]
Codes = Annotated[list[Code], Field(max_length=100)]
Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Money = Annotated[str, Field(pattern=MONEY, description='decimal string, e.g. "250.00"', examples=["250.00"])]
Percent = Annotated[str, Field(pattern=PERCENT, description="0 to 100, two decimals at most", examples=["30"])]
Points = Annotated[int, Field(ge=0, le=POINTS_MAX)]
BranchCode = Annotated[
    str | None,
    Field(None, max_length=20, pattern=NO_NUL, description="branch code; a branch-scoped key acts at its own branch"),
]


def _sane_date(value: dt.date | None) -> dt.date | None:
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Day = Annotated[dt.date, BeforeValidator(iso_text_only), AfterValidator(_sane_date)]


local = api_local_time


def money(value: Any) -> str:
    return money_text(Decimal(value))


def money_or_none(value: Any) -> str | None:
    return None if value is None else money(value)


class Body(StrictIn):
    """An input object (unknown fields and non-objects refused: ``core.schemas.StrictIn``)."""


class MemberRef(Body):
    """Who: one of the member's code, phone (any format) or card number."""

    code: str | None = Field(None, max_length=40, pattern=NO_NUL)
    phone: str | None = Field(None, max_length=32, pattern=NO_NUL)
    card: str | None = Field(None, max_length=40, pattern=NO_NUL)


class ReasonIn(Body):
    reason: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)

