"""On which calendar days a scheduled job (``core.jobs``) is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Schedule:
    """On which calendar days a job is due. ``daily``, ``month_end``, ``month_start``, ``weekly(n)``."""

    name: str
    due: Callable[[dt.date], bool] = field(compare=False)
    label: Any = field(default="", compare=False, repr=False)  # for people (a lazy translation)

    def __str__(self) -> str:
        return self.name


def _month_end(on: dt.date) -> bool:
    return (on + dt.timedelta(days=1)).day == 1


DAILY = Schedule("daily", lambda on: True, gettext_lazy("every day"))
MONTH_END = Schedule("month_end", _month_end, gettext_lazy("last day of the month"))
MONTH_START = Schedule("month_start", lambda on: on.day == 1, gettext_lazy("first day of the month"))


def weekly(weekday: int) -> Schedule:
    """Due on one day of the week (Monday 0 ... Sunday 6)."""
    return Schedule(f"weekly:{weekday}", lambda on: on.weekday() == weekday, gettext_lazy("once a week"))
