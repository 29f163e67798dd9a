"""The pure tier engine (DOMAIN.md 7, 11; docs/tiers.md): plain dataclasses in, decisions out.
No database here (an import-linter contract keeps it so); ``selectors.ladder_for`` compiles the
configuration rows into a :class:`Ladder` once per process.

Windows. On an earning the window is ``[local midnight of (the event's local date - N months),
the event]``: settings made on 1 May with "last 1 month" count what was received from 1 Apr 00:00
to the earning on 1 May. At a cut-off on day D the window is ``[midnight of (D+1 - N months),
midnight of D+1)``. Counting back N months keeps the day of the month, clamped to the month's
last day (31 Mar - 1 month = 29 Feb in a leap year, 28 Feb otherwise).

Cut-offs are on the last day of a month: monthly every month, quarterly in Mar/Jun/Sep/Dec,
half-yearly in Jun/Dec, yearly in Dec.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from sasom.core import calendars

HUNDRED = Decimal(100)

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


@dataclass(frozen=True)
class TierDef:
    id: int
    code: str
    name: str
    threshold: int
    validity_months: int | None = None
    card_color: str = "#64748b"
    discount_percent: Decimal = Decimal(0)
    birthday_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class Ladder:
    id: int
    version: int
    tiers: tuple[TierDef, ...]  # lowest threshold first
    basis: str = "points"
    window_months: int = 12
    downgrade: str = "cutoff"
    cutoff_frequency: str = "yearly"
    drop_mode: str = "to_reached"
    benefits_mode: str = "stack"
    time_zone: str = "Asia/Bangkok"
    calendar: str = "gregorian"  # whose months the windows and cut-offs count (core.calendars)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or "Asia/Bangkok")

    @property
    def top(self) -> TierDef:
        return self.tiers[-1]

    def __post_init__(self) -> None:
        if [t.threshold for t in self.tiers] != sorted({t.threshold for t in self.tiers}):
            raise ValueError("tiers must be ordered by distinct thresholds")

    def rank(self, code: str | None) -> int:
        """0 for no tier, 1 for the lowest tier, ...; an unknown code counts as no tier."""
        for i, tier in enumerate(self.tiers):
            if tier.code == code:
                return i + 1
        return 0

    def tier(self, code: str | None) -> TierDef | None:
        rank = self.rank(code)
        return self.tiers[rank - 1] if rank else None


@dataclass(frozen=True)
class State:
    """A member's tier as stored (``tier`` a code or None)."""

    tier: str | None = None
    reached_on: dt.date | None = None
    expires_on: dt.date | None = None
    floor_tier: str | None = None
    floor_until: dt.date | None = None


@dataclass(frozen=True)
class Move:
    """A decided change: ``to`` None means no tier. ``expires_on`` for the new tier."""

    to: TierDef | None
    expires_on: dt.date | None
    reason: str  # upgrade | downgrade | renew


@dataclass(frozen=True)
class WindowMeasure:
    """A member's measure (points or whole baht, ``basis``) in the window ``[start, end]``, as a
    statement read it with the member before a sale (``checkout.pricing_read``): a decision on
    that sale may use it for the same window and basis only."""

    start: dt.datetime
    end: dt.datetime
    basis: str
    measure: int


@dataclass(frozen=True)
class Progress:
    current: TierDef | None
    next: TierDef | None
    missing: int  # points (or baht) still to earn for the next tier; 0 at the top
    keep: int  # what the current tier asks for (its threshold)


def months_back(day: dt.date, months: int, calendar: str = "gregorian") -> dt.date:
    """``day`` minus ``months`` months of ``calendar`` (core.calendars), the day clamped to the
    month's last day (31 March - 1 month = 28 or 29 February; 31 Farvardin - 1 = 30 Esfand or 29)."""
    return calendars.months_back(day, months, calendar)


def months_ahead(day: dt.date, months: int, calendar: str = "gregorian") -> dt.date:
    return months_back(day, -months, calendar)


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def earning_window(ladder: Ladder, at: dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The window counted back from an earning at ``at``: start inclusive, ``at`` inclusive."""
    day = at.astimezone(tz).date()
    return local_midnight(months_back(day, ladder.window_months, ladder.calendar), tz), at


def cutoff_window(ladder: Ladder, on: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The window that ends with day ``on``: start inclusive, end (midnight after ``on``) exclusive."""
    after = on + dt.timedelta(days=1)
    return local_midnight(months_back(after, ladder.window_months, ladder.calendar), tz), local_midnight(after, tz)


def is_cutoff(frequency: str, on: dt.date, calendar: str = "gregorian") -> bool:
    """Whether ``on`` is a cut-off day: the last day of a month, of March/June/September/December,
    of June/December, of December (Gregorian and Buddhist era); in a Jalali shop whose periods
    follow its calendar, the last day of a Jalali month, quarter, half or year (Esfand)."""
    return calendars.is_period_end(on, PERIOD_MONTHS[frequency], calendar)


def reached(ladder: Ladder, measure: int) -> TierDef | None:
    """The highest tier whose threshold ``measure`` reaches (None below the lowest)."""
    best = None
    for tier in ladder.tiers:
        if measure >= tier.threshold:
            best = tier
    return best


def expiry_of(ladder: Ladder, tier: TierDef | None, reached_on: dt.date) -> dt.date | None:
    """The last day of a tier reached on ``reached_on`` (expiry ladders only)."""
    if tier is None or ladder.downgrade != "expiry" or not tier.validity_months:
        return None
    return months_ahead(reached_on, tier.validity_months, ladder.calendar) - dt.timedelta(days=1)


def on_earning(ladder: Ladder, state: State, measure: int, today: dt.date) -> Move | None:
    """An earning can only raise the tier: to the highest tier ``measure`` reaches when it is
    above the current one."""
    target = reached(ladder, measure)
    if target is None or ladder.rank(target.code) <= ladder.rank(state.tier):
        return None
    return Move(to=target, expires_on=expiry_of(ladder, target, today), reason="upgrade")


def _floor(ladder: Ladder, state: State, on: dt.date) -> int:
    if state.floor_tier and (state.floor_until is None or on <= state.floor_until):
        return ladder.rank(state.floor_tier)
    return 0


def _drop_to(ladder: Ladder, state: State, measure: int, on: dt.date) -> TierDef | None:
    """The tier a member falls to when the window's ``measure`` no longer keeps the current one:
    the tier reached (or one step down, as the ladder says), never below a hand-set floor."""
    current = ladder.rank(state.tier)
    hit = reached(ladder, measure)
    target = ladder.rank(hit.code) if hit is not None else 0
    if target >= current:
        return ladder.tier(state.tier)
    if ladder.drop_mode == "one_step":
        target = current - 1
    target = max(target, _floor(ladder, state, on))
    return ladder.tiers[target - 1] if target else None


def at_cutoff(ladder: Ladder, state: State, measure: int, on: dt.date) -> Move | None:
    """A cut-off on day ``on`` drops a member whose ``measure`` is below the tier's threshold."""
    if ladder.downgrade != "cutoff" or not is_cutoff(ladder.cutoff_frequency, on, ladder.calendar) or state.tier is None:
        return None
    to = _drop_to(ladder, state, measure, on)
    if to is not None and ladder.rank(to.code) >= ladder.rank(state.tier):
        return None
    return Move(to=to, expires_on=None, reason="downgrade")


def at_expiry(ladder: Ladder, state: State, measure: int, on: dt.date) -> Move | None:
    """On or after the expiry day: the member keeps the tier for another validity when the window
    still reaches it (``renew``), else drops; the new tier's validity starts the day after expiry."""
    if ladder.downgrade != "expiry" or state.tier is None or state.expires_on is None or state.expires_on > on:
        return None
    start = state.expires_on + dt.timedelta(days=1)
    to = _drop_to(ladder, state, measure, on)
    if to is not None and to.code == state.tier:
        return Move(to=to, expires_on=expiry_of(ladder, to, start), reason="renew")
    return Move(to=to, expires_on=expiry_of(ladder, to, start), reason="downgrade")


def reevaluate(ladder: Ladder, state: State, measure: int, today: dt.date) -> Move | None:
    """"Re-evaluate all members now": the tier the window reaches today, up or down, never below
    a hand-set floor."""
    target = reached(ladder, measure)
    rank = max(ladder.rank(target.code) if target else 0, _floor(ladder, state, today))
    if rank == ladder.rank(state.tier):
        return None
    to = ladder.tiers[rank - 1] if rank else None
    reason = "upgrade" if rank > ladder.rank(state.tier) else "downgrade"
    return Move(to=to, expires_on=expiry_of(ladder, to, today), reason=reason)


def progress(ladder: Ladder, current: str | None, measure: int) -> Progress:
    rank = ladder.rank(current)
    tier = ladder.tier(current)
    nxt = ladder.tiers[rank] if rank < len(ladder.tiers) else None
    missing = max(0, nxt.threshold - measure) if nxt is not None else 0
    return Progress(current=tier, next=nxt, missing=missing, keep=tier.threshold if tier else 0)


def discounts(ladder: Ladder, tier: str | None, type_percent: Decimal, type_birthday: Decimal,
              is_birthday: bool) -> tuple[Decimal, Decimal]:
    """The member discount and birthday discount percentages with the member's tier: the tier's on
    top of the member type's (``stack``, capped at 100 together) or instead of them (``replace``,
    only when the member has a tier). ``type_birthday`` is already 0 off the birthday."""
    t = ladder.tier(tier)
    if t is None:
        return type_percent, type_birthday
    tier_birthday = t.birthday_percent if is_birthday else Decimal(0)
    if ladder.benefits_mode == "replace":
        return t.discount_percent, tier_birthday
    percent = min(type_percent + t.discount_percent, HUNDRED)
    return percent, min(type_birthday + tier_birthday, HUNDRED - percent)
