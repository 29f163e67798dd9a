"""Tier evaluation that needs the ledger's data (docs/decisions/0005-tiers-evaluation.md).

The tiers app (below the ledger) owns ladders, member tier states, history and the pure engine;
what a member *earned* in a window is ledger data, so the evaluations run here:

- :func:`tier_after_sale`, called by ``sales.sale_announce`` (every writer: ORM, SQL function,
  bulk) in the posting's transaction: an earning can raise the tier; :func:`referrer_tier`
  does the same for the referrer a sale credits (``sales.plan_write``, the one writer of those).
- :func:`tiers_cutoff_run` (decided in SQL: ``tier_cutoff``) and :func:`tiers_expiry_run`: the
  downgrades, idempotent per (organization, date), returning counts (daily jobs).
- :func:`tiers_reevaluate`: "re-evaluate all members now", previewed (counts per move) and applied
  with the same code.

Points earned in a window: the earn entries that occurred in it, minus the points their returns,
voids and reversals took back (whenever those were posted, up to the evaluation). Never the balance:
redeemed or expired points still count as earned. A spend ladder counts the net of the member's
sales in the window, not voided, minus what was returned of them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.ledger.plan import SalePlan
from sasom.ledger.services.tier_cutoff import tiers_cutoff_run
from sasom.ledger.services.tier_measures import measure_of, measures
from sasom.members.models import Member
from sasom.tiers import engine
from sasom.tiers.models import MemberTier
from sasom.tiers.selectors import (
    ladder_compile,
    ladder_for,
    member_tier_code,
    state_of,
    tier_code_of,
)
from sasom.tiers.services import (
    Why,
    member_tier_lock,
    member_tier_move,
    member_tier_moves,
    member_tiers_lock,
)

CHUNK = 2000

__all__ = ["Decided", "TierPre", "measure_of", "measures", "member_tier_code", "outcome_of", "reevaluation_apply",
           "reevaluation_decide", "reevaluation_pages", "referrer_tier", "tier_after_sale", "tier_precheck",
           "tiers_cutoff_job", "tiers_cutoff_run", "tiers_expiry_job", "tiers_expiry_run", "tiers_reevaluate",
           "window_to_read"]


# ---------------------------------------------------------------- on a sale


@dataclass(frozen=True)
class TierPre:
    """A sale's tier decision taken before its writes (the one-call writer): the window's measure
    with this sale in it, and whether it raises the tier (then the call runs in a transaction)."""

    measure: int
    due: bool


def _this_sale(ladder: engine.Ladder, plan: SalePlan) -> int:
    return int(plan.sale.net) if ladder.basis == "spend" else (plan.earn.amount if plan.earn else 0)


def _current(plan: SalePlan) -> str | None:
    return (plan.sale.explanation.get("context") or {}).get("tier") or None


EarnedBefore = Callable[[dt.datetime, dt.datetime], int]


def window_to_read(organization_id: int, at: dt.datetime) -> tuple[dt.datetime, dt.datetime, str, str] | None:
    """What a statement read before a sale at ``at`` needs to measure the member's window for
    :func:`tier_precheck` (``checkout.pricing_read``): (start, end, basis, the top tier's code,
    whose members need no measure); None when the organization has no ladder (cached per
    process: no query)."""
    ladder = ladder_for(organization_id)
    if ladder is None:
        return None
    start, end = engine.earning_window(ladder, at, ladder.zone)
    return start, end, ladder.basis, ladder.top.code


def tier_precheck(plan: SalePlan, earned_before: EarnedBefore | None = None,
                  read: engine.WindowMeasure | None = None) -> TierPre | None:
    """For a sale about to be written: None when there is nothing to evaluate (no member, no
    ladder, nothing earned, already at the top); else the measure and the verdict. The measure
    so far is ``read`` when a statement read it with the member for this window and basis (no
    query); else ``earned_before(start, end)``, the member's points earned in the window so far,
    when the caller has a faster way to count them (a points ladder only, one query); else
    ``measures`` (two)."""
    row = plan.sale
    ladder = ladder_for(row.organization_id)
    if row.member_id is None or ladder is None:
        return None
    this = _this_sale(ladder, plan)
    current = _current(plan)
    if this <= 0 or ladder.rank(current) == len(ladder.tiers):
        return None
    window = engine.earning_window(ladder, row.occurred_at, ladder.zone)
    if read is not None and (read.start, read.end, read.basis) == (window[0], window[1], ladder.basis):
        before = read.measure
    elif earned_before is not None and ladder.basis == "points":
        before = earned_before(window[0], window[1])
    else:
        before = measures(organization_id=row.organization_id, ladder=ladder, member_ids=[row.member_id],
                          start=window[0], end=window[1], end_inclusive=True)[row.member_id]
    measure = this + before
    today = row.occurred_at.astimezone(ladder.zone).date()
    return TierPre(measure=measure, due=engine.on_earning(ladder, engine.State(tier=current), measure, today) is not None)


# What the last sales of this thread decided, for their receipts (``outcome_of``): sale id ->
# (the tier after the sale, the window's measure or None when it was not counted).
_outcomes = threading.local()


def _remember(sale_id: int, tier: str | None, measure: int | None) -> None:
    found: dict[int, tuple[str | None, int | None]] = getattr(_outcomes, "by_sale", None) or {}
    if len(found) > 100:
        found.clear()
    found[sale_id] = (tier, measure)
    _outcomes.by_sale = found


def outcome_of(sale_id: int) -> tuple[str | None, int | None] | None:
    """The tier and measure :func:`tier_after_sale` settled for ``sale_id`` in this thread (once)."""
    found: dict[int, tuple[str | None, int | None]] = getattr(_outcomes, "by_sale", None) or {}
    return found.pop(sale_id, None)


def tier_after_sale(plan: SalePlan, *, sale_id: int, member_code: str | None, pre: TierPre | None = None) -> None:
    """An earning can raise the member's tier: the window counted back from the sale, this sale
    included. Nothing (no query) for a sale without a member, without an earning, in an
    organization without a ladder, or of a member already at the top tier; nothing more when the
    writer decided before writing (``pre``)."""
    row = plan.sale
    if row.member_id is None or member_code is None:
        return
    ladder = ladder_for(row.organization_id)
    if ladder is None:
        return
    this = _this_sale(ladder, plan)
    current = _current(plan)
    if this <= 0:
        return
    if ladder.rank(current) == len(ladder.tiers):
        _remember(sale_id, current, None)
        return
    window = engine.earning_window(ladder, row.occurred_at, ladder.zone)
    if pre is not None:
        measure = pre.measure
    else:
        measure = this + measures(organization_id=row.organization_id, ladder=ladder, member_ids=[row.member_id],
                                  start=window[0], end=window[1], end_inclusive=True, exclude_sale_id=sale_id
                                  )[row.member_id]
    today = row.occurred_at.astimezone(ladder.zone).date()
    if engine.on_earning(ladder, engine.State(tier=current), measure, today) is None:
        _remember(sale_id, current, measure)
        return
    # the posting's transaction; a savepoint in it, or the transaction of its own when the one-call
    # writer posted in autocommit and found afterwards that a concurrent sale raced it (fastpost)
    with transaction.atomic():
        if plan.referrer_earn is not None and plan.referrer_id is not None:
            # the referrer's state may be locked next (referrer_tier): both now, in the one order
            member_tiers_lock(organization_id=row.organization_id, member_ids=[row.member_id, plan.referrer_id])
        locked = member_tier_lock(organization_id=row.organization_id, member_id=row.member_id)
        move = engine.on_earning(ladder, state_of(locked), measure, today)
        if move is None:
            _remember(sale_id, locked.tier.code if locked is not None and locked.tier is not None else None, measure)
            return
        member_tier_move(
            organization_id=row.organization_id, member_id=row.member_id, member_code=member_code, ladder=ladder,
            row=locked, move=move, on=today, actor=Actor.system("tiers"),
            why=Why(reason="upgrade", detail="sale", measure=measure, window=window, sale_id=sale_id),
        )
    _remember(sale_id, move.to.code if move.to else None, measure)


def referrer_tier(plan: SalePlan, *, sale_id: int) -> None:
    """Points credited to a referrer (a referred member's first purchase, ``plan.referrer_earn``,
    already written) raise the referrer's tier as a sale raises the member's: the referrer's points
    in the window counted back from the sale, this credit in it, in the posting's transaction. No
    query more without a ladder or on a spend ladder (points do not move it); one for a referrer
    already at the top."""
    row, referrer_id = plan.sale, plan.referrer_id
    if plan.referrer_earn is None or referrer_id is None:
        return
    ladder = ladder_for(row.organization_id)
    if ladder is None or ladder.basis != "points":
        return
    current = tier_code_of(organization_id=row.organization_id, member_id=referrer_id) or None
    if ladder.rank(current) == len(ladder.tiers):
        return
    window = engine.earning_window(ladder, row.occurred_at, ladder.zone)
    measure = measures(organization_id=row.organization_id, ladder=ladder, member_ids=[referrer_id],
                       start=window[0], end=window[1], end_inclusive=True)[referrer_id]
    today = row.occurred_at.astimezone(ladder.zone).date()
    if engine.on_earning(ladder, engine.State(tier=current), measure, today) is None:
        return
    with transaction.atomic():
        locked = member_tier_lock(organization_id=row.organization_id, member_id=referrer_id)
        move = engine.on_earning(ladder, state_of(locked), measure, today)
        if move is None:
            return
        member_tier_move(
            organization_id=row.organization_id, member_id=referrer_id, ladder=ladder, row=locked, move=move,
            member_code=_codes(row.organization_id, [referrer_id])[referrer_id], on=today, actor=Actor.system("tiers"),
            why=Why(reason="upgrade", detail="referral", measure=measure, window=window, sale_id=sale_id),
        )


# ---------------------------------------------------------------- downgrades (daily)


def _rows(organization_id: int, **where: Any) -> Any:
    return (MemberTier.objects.filter(organization_id=organization_id, tier__isnull=False, **where)
            .select_related("tier", "floor_tier").order_by("pk"))


def _locked_chunk(organization_id: int, last: int, **where: Any) -> tuple[list[MemberTier], Any]:
    """The next ``CHUNK`` states with a tier after pk ``last``, locked, then read (locked first
    without the tier join, so a row a sale moved meanwhile is read with its new tier); and a
    query of their members' ids, for the chunk's other queries to use as a subquery."""
    chunk = MemberTier.objects.filter(organization_id=organization_id, tier__isnull=False, pk__gt=last, **where)
    bound = list(chunk.order_by("pk").select_for_update().values_list("pk", flat=True)[:CHUNK])
    if not bound:
        return [], None
    rows = chunk.filter(pk__lte=bound[-1])
    return list(rows.select_related("tier", "floor_tier").order_by("pk")), rows.values("member_id")


def _codes(organization_id: int, ids: list[int]) -> dict[int, str]:
    return dict(Member.objects.filter(organization_id=organization_id, pk__in=ids).values_list("pk", "code"))


def tiers_expiry_run(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """For a ladder that downgrades at expiry: every tier whose last day is ``on_date`` or before
    is decided on the points of the window ending on its last day: kept for another validity
    (renewed) or dropped, never below a hand-set floor. Idempotent: a decided tier has a new expiry."""
    ladder = ladder_compile(organization_id)
    counts = {"checked": 0, "renewed": 0, "moved": 0}
    if ladder is None or ladder.downgrade != "expiry":
        return counts
    last = 0
    while True:
        with transaction.atomic():
            chunk, _of_chunk = _locked_chunk(organization_id, last, expires_on__lte=on_date)
            if not chunk:
                return counts
            last = chunk[-1].pk
            by_day: dict[dt.date, list[MemberTier]] = {}
            for r in chunk:
                assert r.expires_on is not None
                by_day.setdefault(r.expires_on, []).append(r)
            moves = []
            for day, rows in sorted(by_day.items()):
                window = engine.cutoff_window(ladder, day, ladder.zone)
                got = measures(organization_id=organization_id, ladder=ladder, member_ids=[r.member_id for r in rows],
                               start=window[0], end=window[1])
                for r in rows:
                    counts["checked"] += 1
                    move = engine.at_expiry(ladder, state_of(r), got[r.member_id], on_date)
                    if move is None:
                        continue
                    counts["renewed" if move.reason == "renew" else "moved"] += 1
                    moves.append((r, move, Why(reason="downgrade", detail="expiry", measure=got[r.member_id],
                                               window=window, run_key=f"expiry:{day.isoformat()}"),
                                  day + dt.timedelta(days=1)))
            member_tier_moves(organization_id=organization_id, ladder=ladder, moves=moves, actor=Actor.system("tiers"),
                              codes=lambda ids: _codes(organization_id, ids))


# ---------------------------------------------------------------- re-evaluation


@dataclass(frozen=True)
class Decided:
    """One member's move in a re-evaluation: ``key`` names it ("GOLD→BASIC", "-" is no tier)."""

    member_id: int
    row: MemberTier | None
    move: engine.Move
    measure: int
    key: str


def reevaluation_pages(organization_id: int, *, after: int = 0) -> Iterator[list[int]]:
    """The organization's member ids in pk order, ``CHUNK`` at a time, after member ``after``."""
    while True:
        page = list(Member.objects.filter(organization_id=organization_id, pk__gt=after).order_by("pk")
                    .values_list("pk", flat=True)[:CHUNK])
        if not page:
            return
        yield page
        after = page[-1]


def reevaluation_decide(*, organization_id: int, ladder: engine.Ladder, member_ids: list[int], now: dt.datetime,
                        lock: bool) -> list[Decided]:
    """The moves of these members with the ladder as it is, the window counted back from ``now``:
    the tier the window reaches, up or down, never below a hand-set floor. Two grouped queries
    (their states, their measures); ``lock`` locks their state rows (to apply)."""
    today = now.astimezone(ladder.zone).date()
    window = engine.earning_window(ladder, now, ladder.zone)
    states = MemberTier.objects.filter(organization_id=organization_id, member_id__in=member_ids).select_related(
        "tier", "floor_tier")
    found = {r.member_id: r for r in (states.select_for_update(of=("self",)).order_by("pk") if lock else states)}
    got = measures(organization_id=organization_id, ladder=ladder, member_ids=member_ids, start=window[0],
                   end=window[1], end_inclusive=True)
    out = []
    for member_id in member_ids:
        row = found.get(member_id)
        move = engine.reevaluate(ladder, state_of(row), got[member_id], today)
        if move is not None:
            before = row.tier.code if row is not None and row.tier is not None else "-"
            out.append(Decided(member_id, row, move, got[member_id], f"{before}→{move.to.code if move.to else '-'}"))
    return out


def reevaluation_apply(*, organization_id: int, ladder: engine.Ladder, decided: list[Decided], now: dt.datetime,
                       actor: Actor, run_key: str = "") -> None:
    """Write decided moves (inside the caller's transaction, their rows locked): a history row
    with reason ``reevaluation`` and a ``member.tier_changed`` event each."""
    if not decided:
        return
    today = now.astimezone(ladder.zone).date()
    window = engine.earning_window(ladder, now, ladder.zone)
    codes = _codes(organization_id, [d.member_id for d in decided])
    for d in decided:
        member_tier_move(
            organization_id=organization_id, member_id=d.member_id, member_code=codes[d.member_id], ladder=ladder,
            row=d.row, move=d.move, on=today, actor=actor,
            why=Why(reason="reevaluation", detail=d.move.reason, measure=d.measure, window=window, run_key=run_key),
        )


def tiers_reevaluate(*, organization_id: int, actor: Actor, apply: bool, now: dt.datetime | None = None
                     ) -> dict[str, int]:
    """"Re-evaluate all members now" in the caller's process (the demo, tests; the back office and
    the API run it in the worker: ``tier_reevaluation``). ``apply=False`` is the preview: the same
    decisions, counted per move ("GOLD→SILVER": n), nothing written; applied, the same counts.
    One transaction per chunk of members."""
    ladder = ladder_compile(organization_id)
    if ladder is None:
        return {}
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    for page in reevaluation_pages(organization_id):
        with transaction.atomic():
            decided = reevaluation_decide(organization_id=organization_id, ladder=ladder, member_ids=page, now=now,
                                          lock=apply)
            counts.update(d.key for d in decided)
            if apply:
                reevaluation_apply(organization_id=organization_id, ladder=ladder, decided=decided, now=now,
                                   actor=actor)
    return dict(counts)


# ---------------------------------------------------------------- the daily job


def tiers_cutoff_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """The scheduler's run of date ``on_date`` (``core.jobs``): the cut-off of the day that has
    just ended (a cut-off day counts whole, so it is decided once it is over)."""
    return tiers_cutoff_run(organization_id=organization_id, on_date=on_date - dt.timedelta(days=1))


def tiers_expiry_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """The scheduler's run of date ``on_date``: the tiers whose last day has just ended."""
    return tiers_expiry_run(organization_id=organization_id, on_date=on_date - dt.timedelta(days=1))
