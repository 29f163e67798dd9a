"""Field types and helpers the earning API schemas share (see :mod:`sasom.earning.api_schemas`).

Every string and list is bounded and refuses NUL, so any schema-valid input reaches the services
and gets an answer, never a crash: money and quantities are decimal strings, points integers,
date-times ISO 8601 with an offset (output in the server's zone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from sasom.core.inputs import api_local_time, iso_text_only
from sasom.core.money import money_text
from sasom.core.schemas import StrictIn
from sasom.earning.kinds import KINDS

NO_NUL = r"^[^\x00]*$"
MONEY = r"^\d{1,10}(\.\d{1,2})?$"
QUANTITY = r"^\d{1,7}(\.\d{1,3})?$"
MULTIPLIER = r"^\d{1,7}(\.\d{1,2})?$"
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
PRIORITY_MIN, PRIORITY_MAX = -1_000_000, 1_000_000
PRIORITY: dict[str, Any] = {"ge": PRIORITY_MIN, "le": PRIORITY_MAX}

Code = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Codes = Annotated[list[Code], Field(max_length=100)]
Money = Annotated[
    str, Field(pattern=MONEY, description='decimal string, e.g. "2000.00"', examples=["2000.00"])
]
BoostMode = Literal["multiply", "extra_times", "fixed"]
Clock = Annotated[
    str,
    Field(pattern=CLOCK, description="local time of day, HH:MM or HH:MM:SS", examples=["12:00"]),
]


def _registered_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"unknown rule kind {value!r}; the kinds are {', '.join(KINDS)}")
    return value


# A rule kind: one of the registry's codes (the OpenAPI enum is the registry's list).
KindCode = Annotated[
    str,
    AfterValidator(_registered_kind),
    Field(
        description="the rule's kind: "
        + "; ".join(f"{code}: {kind.description}" for code, kind in KINDS.items()),
        json_schema_extra={"enum": list(KINDS)},
    ),
]


def _sane_year(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Moment = Annotated[
    AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(_sane_year),
    Field(examples=["2025-04-01T00:00:00+07:00"]),
]


local_time = api_local_time


def clock_text(value: dt.time | None) -> str | None:
    return None if value is None else value.isoformat()


def money_out(value: Any) -> str:
    return money_text(Decimal(value))


class Body(StrictIn):
    """An input object (unknown fields and non-objects refused: ``core.schemas.StrictIn``)."""
