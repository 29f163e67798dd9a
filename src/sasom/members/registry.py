"""What the apps above ``members`` hold about a member, reached without importing them.

Higher apps register from their ``AppConfig.ready()``:

* an **exporter** per section of the PDPA data export (``members.privacy.member_data_export``):
  sections follow the member's own ones in registration order, i.e. in ``INSTALLED_APPS`` order;
* an **eraser** per app that keeps a member's phone or e-mail outside the member row (run by
  ``members.services.member_anonymize`` in its transaction). Erasure is a call, not an event: an
  event would copy the very phone and e-mail being erased into the outbox;
* the **purchases source** (the ledger's sales), read by the lifecycle tools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

if TYPE_CHECKING:
    from .models import Member

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class ExportSection:
    name: str
    collect: Callable[[Member], Any]
    """The section's JSON-ready value: a dict (one CSV row) or a list of dicts."""
    csv_files: Callable[[Any], dict[str, Rows]] | None = None
    """How the section becomes CSV files (file stem -> rows), when not one file named after it."""

    def as_csv(self, value: Any) -> dict[str, Rows]:
        if self.csv_files is not None:
            return self.csv_files(value)
        return {self.name: [value] if isinstance(value, dict) else value}


@dataclass(frozen=True)
class ErasureSubject:
    """Whom to forget: the member and the phone and e-mail it had before anonymization."""

    organization_id: int
    member_id: int
    phone: str
    email: str


Eraser = Callable[[ErasureSubject], object]


@dataclass(frozen=True)
class PurchasesSource:
    between: Callable[[int, list[int], dt.date | None, dt.date | None], dict[int, Decimal]]
    """Purchase totals per member id between two dates (inclusive); members without any absent."""
    buyers_since: Callable[[int, dt.date], QuerySet]
    """Ids of members with a purchase on or after a date, as a subquery."""


_exporters: dict[str, ExportSection] = {}
_erasers: list[Eraser] = []
_purchases: list[PurchasesSource] = []


def register_exporter(name: str, collect: Callable[[Member], Any], *,
                      csv_files: Callable[[Any], dict[str, Rows]] | None = None) -> None:
    """Add section ``name`` to every member data export (registering a name again replaces it)."""
    _exporters[name] = ExportSection(name=name, collect=collect, csv_files=csv_files)


def exporters() -> list[ExportSection]:
    return list(_exporters.values())


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def erasers_run(subject: ErasureSubject) -> None:
    for eraser in _erasers:
        eraser(subject)


def register_purchases(source: PurchasesSource) -> None:
    _purchases[:] = [source]


def purchases_source() -> PurchasesSource | None:
    return _purchases[0] if _purchases else None



_tier_blocks: list[Callable[[Member], dict[str, Any] | None]] = []


def register_tier_block(source: Callable[[Member], dict[str, Any] | None]) -> None:
    """The member's tier as the profile shows it (``GET /members/{code}``): the ledger fills it
    (tier, progress to the next one, what keeps it; docs/tiers.md). None: no ladder."""
    _tier_blocks[:] = [source]


def tier_block(member: Member) -> dict[str, Any] | None:
    return _tier_blocks[0](member) if _tier_blocks else None
