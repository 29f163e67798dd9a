"""A member's tier as people see it (back office, portal card, API, receipt): the tier, the points
(or baht) of the window counted back from now, what the next tier asks for, and what keeps the
current one until when (docs/tiers.md). One read of the state, two of the window."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone

from sasom.core import calendars
from sasom.ledger.services.tiering import measure_of, outcome_of
from sasom.tiers import engine
from sasom.tiers.selectors import ladder_for, member_tier_row


@dataclass(frozen=True)
class TierCard:
    code: str | None
    name: str | None
    card_color: str | None
    reached_on: dt.date | None
    expires_on: dt.date | None
    basis: str  # points | spend
    window_months: int
    measure: int  # earned (or spent) in the window counted back from now
    next_code: str | None
    next_name: str | None
    missing: int  # still to earn for the next tier (0 at the top)
    keep: int  # what the current tier asks for in its window (its threshold)
    keep_until: dt.date | None  # the next cut-off, or the tier's expiry
    floor_code: str | None
    floor_until: dt.date | None
    floor_note: str

    @property
    def percent(self) -> int:
        """How far to the next tier, 0-100 (100 at the top)."""
        if self.next_code is None:
            return 100
        need = self.measure + self.missing
        return min(100, self.measure * 100 // need) if need else 100

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def next_cutoff(frequency: str, today: dt.date, calendar: str = "gregorian") -> dt.date:
    """The first cut-off day on or after ``today`` (the months of ``calendar``)."""
    day = today
    for _month in range(13):
        last = calendars.month_end(day, calendar)
        if engine.is_cutoff(frequency, last, calendar):
            return last
        day = last + dt.timedelta(days=1)
    raise AssertionError("a cut-off every year at least")


def tier_card(*, organization_id: int, member_id: int, now: dt.datetime | None = None) -> TierCard | None:
    ladder = ladder_for(organization_id)
    if ladder is None:
        return None
    now = now or timezone.now()
    today = now.astimezone(ladder.zone).date()
    row = member_tier_row(organization_id=organization_id, member_id=member_id)
    state = engine.State() if row is None else engine.State(
        tier=row.tier.code if row.tier else None, expires_on=row.expires_on)
    window = engine.earning_window(ladder, now, ladder.zone)
    measure = measure_of(organization_id=organization_id, ladder=ladder, member_id=member_id, start=window[0],
                         end=window[1], end_inclusive=True)
    progress = engine.progress(ladder, state.tier, measure)
    current = progress.current
    keep_until = None
    if current is not None:
        keep_until = row.expires_on if ladder.downgrade == "expiry" and row is not None else next_cutoff(
            ladder.cutoff_frequency, today, ladder.calendar)
    return TierCard(
        code=current.code if current else None, name=current.name if current else None,
        card_color=current.card_color if current else None,
        reached_on=row.reached_on if row is not None and current else None,
        expires_on=row.expires_on if row is not None and current else None,
        basis=ladder.basis, window_months=ladder.window_months, measure=measure,
        next_code=progress.next.code if progress.next else None, next_name=progress.next.name if progress.next else None,
        missing=progress.missing, keep=progress.keep, keep_until=keep_until,
        floor_code=row.floor_tier.code if row is not None and row.floor_tier else None,
        floor_until=row.floor_until if row is not None and row.floor_tier else None,
        floor_note=row.floor_note if row is not None and row.floor_tier else "",
    )


@dataclass(frozen=True)
class ReceiptTier:
    """What a receipt says of the tier (``checkout.receipts.tier_lines``)."""

    name: str | None
    next_name: str | None
    missing: int
    basis: str


def tier_after_sale_of(*, organization_id: int, member_id: int, sale_id: int) -> ReceiptTier | TierCard | None:
    """The member's tier for the receipt of a sale just posted: from what the posting decided
    (``tiering.outcome_of``, no query), else read (:func:`tier_card`)."""
    ladder = ladder_for(organization_id)
    if ladder is None:
        return None
    found = outcome_of(sale_id)
    if found is None or (found[1] is None and ladder.rank(found[0]) != len(ladder.tiers)):
        return tier_card(organization_id=organization_id, member_id=member_id)
    code, measure = found
    progress = engine.progress(ladder, code, measure or 0)
    return ReceiptTier(name=progress.current.name if progress.current else None,
                       next_name=progress.next.name if progress.next else None, missing=progress.missing,
                       basis=ladder.basis)


def tier_block(member: Any) -> dict[str, Any] | None:
    """``members.registry``'s tier block of the member profile."""
    card = tier_card(organization_id=member.organization_id, member_id=member.pk)
    return card.as_json() if card is not None else None
