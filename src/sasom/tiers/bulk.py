"""The tiers of a chunk of day-end sales, set-based (``ledger.services.bulk_tiers`` decides them:
the window's measure is ledger data).

A chunk reads its members' tier states once (locked, in primary-key order, after the accounts:
the one lock order of ``member_tiers_lock``), keeps each member's tier in memory while its sales
are planned in document order (a member's second sale in the chunk sees the tier the first one
reached, as the till's per-sale step would), and writes every move of the chunk at once: the
states in one UPDATE, the history in one INSERT. The decisions are the tier rules' own
(``engine.on_earning``); the rows and the ``member.tier_changed`` payloads are
``services.member_tier_move``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.events import MEMBER_TIER_CHANGED, event_record
from sasom.tiers import engine
from sasom.tiers.models import MemberTier, TierChange
from sasom.tiers.selectors import TIER_CODE_READ
from sasom.tiers.services import Why, _states_write, member_tiers_lock

__all__ = ["ChunkMove", "change_announce", "codes_read", "codes_set", "moves_write", "states_locked"]


def codes_read(organization_id: int, members: Iterable[Any]) -> None:
    """Each member's tier code read in one query (unlocked, as the till reads it before pricing)
    and kept on the member object (``TIER_CODE_READ``: ``member_tier_code`` asks no query then)."""
    objects = [m for m in members if m is not None]
    ids = {m.pk for m in objects}
    if not ids:
        return
    found = dict(MemberTier.objects.filter(organization_id=organization_id, member_id__in=ids)
                 .values_list("member_id", "tier__code"))
    codes_set(objects, {m: found.get(m) or "" for m in ids})


def codes_set(members: Iterable[Any], codes: dict[int, str]) -> None:
    for member in members:
        if member is not None and member.pk in codes:
            setattr(member, TIER_CODE_READ, codes[member.pk])


def states_locked(*, organization_id: int, member_ids: Iterable[int]) -> dict[int, MemberTier]:
    """The members' tier states that exist, locked in primary-key order, then read (with their
    tiers), as ``member_tier_lock`` reads one."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    member_tiers_lock(organization_id=organization_id, member_ids=ids)
    rows = MemberTier.objects.filter(organization_id=organization_id, member_id__in=ids).select_related(
        "tier", "floor_tier")
    return {r.member_id: r for r in rows}


@dataclass(frozen=True)
class ChunkMove:
    """One upgrade decided in the chunk: whose, what, why (the sale's id is known once written)."""

    key: int  # the sale's place in the chunk
    member_id: int
    member_code: str
    move: engine.Move
    measure: int
    window: tuple[dt.datetime, dt.datetime]
    on: dt.date


def moves_write(*, organization_id: int, ladder: engine.Ladder, states: dict[int, MemberTier],
                moves: list[ChunkMove], sale_ids: dict[int, int], actor: Actor,
                now: dt.datetime | None = None) -> list[tuple[ChunkMove, TierChange]]:
    """Write the chunk's moves (in their order) as ``member_tier_move`` one by one would: each
    member's state as its last move left it (one UPDATE), one history row per move (one INSERT).
    A member without a state gets one first (``INSERT ... ON CONFLICT DO NOTHING``, then locked);
    if another transaction gave it a tier meanwhile, the chunk's decisions are stale:
    ``IntegrityError`` rolls the chunk back (its caller posts it document by document)."""
    if not moves:
        return []
    now = now or timezone.now()
    missing = sorted({m.member_id for m in moves} - set(states))
    if missing:
        MemberTier.objects.bulk_create([MemberTier(organization_id=organization_id, member_id=m) for m in missing],
                                       ignore_conflicts=True)
        made = states_locked(organization_id=organization_id, member_ids=missing)
        if len(made) != len(missing) or any(r.tier_id is not None for r in made.values()):
            raise IntegrityError("a member's tier changed while the chunk was decided")
        states = {**states, **made}
    tier_of = {m: (r.tier.code if r.tier is not None else None) for m, r in states.items()}
    out: list[tuple[ChunkMove, TierChange]] = []
    for m in moves:
        row, old = states[m.member_id], ladder.tier(tier_of[m.member_id])
        row.tier_id = m.move.to.id if m.move.to is not None else None
        row.reached_on, row.expires_on, row.updated_at = m.on, m.move.expires_on, now
        tier_of[m.member_id] = m.move.to.code if m.move.to is not None else None
        why = Why(reason="upgrade", detail="sale", measure=m.measure, window=m.window, sale_id=sale_ids[m.key])
        out.append((m, TierChange(
            organization_id=organization_id, member_id=m.member_id,
            from_code=old.code if old else "", from_name=old.name if old else "",
            to_code=m.move.to.code if m.move.to else "", to_name=m.move.to.name if m.move.to else "",
            reason=why.reason, detail=why.detail, measure=why.measure,
            window_from=m.window[0], window_to=m.window[1], effective_on=m.on, changed_at=now, run_key=why.run_key,
            sale_id=why.sale_id, note=why.note, actor_label=actor.label, staff_user_id=actor.user_id,
        )))
    _states_write(list({id(r): r for r in (states[m.member_id] for m in moves)}.values()))
    TierChange.objects.bulk_create([change for _m, change in out], batch_size=1000)
    return out


def change_announce(organization_id: int, move: ChunkMove, change: TierChange) -> None:
    """``member.tier_changed`` for one written move, the payload ``member_tier_move`` records."""
    event_record(organization_id=organization_id, kind=MEMBER_TIER_CHANGED, occurred_at=change.changed_at,
                 payload=lambda: {
                     "member": move.member_code, "from": change.from_code or None, "to": change.to_code or None,
                     "reason": change.reason, "detail": change.detail, "measure": change.measure,
                     "window_from": change.window_from, "window_to": change.window_to,
                     "effective_on": change.effective_on, "expires_on": move.move.expires_on,
                 })
