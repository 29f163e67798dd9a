"""Writes of tiers: the ladder's configuration, and every change of a member's tier (one
history row and one ``member.tier_changed`` event each). Deciding *when* a member moves needs the
points earned, which the ledger owns: ``ledger.services.tiering`` calls :func:`member_tier_move`
(docs/decisions/0005-tiers-evaluation.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.core.events import MEMBER_TIER_CHANGED, event_record, event_wanted
from sasom.tiers import engine
from sasom.tiers.errors import INVALID_LADDER, NO_LADDER, UNKNOWN_TIER
from sasom.tiers.models import (
    Basis,
    BenefitsMode,
    Downgrade,
    DropMode,
    Frequency,
    MemberTier,
    Tier,
    TierChange,
    TierLadder,
)
from sasom.tiers.selectors import ladder_for, ladder_forget

_PARKED = 4 * 10**18  # above any threshold a form or the API accepts


@dataclass(frozen=True)
class TierIn:
    code: str
    name: str
    threshold: int
    validity_months: int | None = None
    card_color: str = "#64748b"
    discount_percent: Decimal = Decimal(0)
    birthday_discount_percent: Decimal = Decimal(0)


def _check(value: str, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise DomainError(INVALID_LADDER, _("Not one of the choices."), field=field)


@transaction.atomic
def ladder_configure(
    *, organization_id: int, actor: Actor, name: str, tiers: list[TierIn], basis: str = Basis.POINTS,
    window_months: int = 12, downgrade: str = Downgrade.CUTOFF, cutoff_frequency: str = Frequency.YEARLY,
    drop_mode: str = DropMode.TO_REACHED, benefits_mode: str = BenefitsMode.STACK, is_active: bool = True,
) -> TierLadder:
    """Create or replace the organization's ladder. Tiers keep their row (and members keep their
    tier) when their code stays; a tier left out is deleted and its members keep no tier until
    their next evaluation. The change applies from the next earning on, not retroactively
    (run the re-evaluation for that)."""
    _check(basis, Basis, "basis")
    _check(downgrade, Downgrade, "downgrade")
    _check(cutoff_frequency, Frequency, "cutoff_frequency")
    _check(drop_mode, DropMode, "drop_mode")
    _check(benefits_mode, BenefitsMode, "benefits_mode")
    if window_months not in (1, 3, 6, 12):
        raise DomainError(INVALID_LADDER, _("The window is 1, 3, 6 or 12 months."), field="window_months")
    if not tiers:
        raise DomainError(INVALID_LADDER, _("A ladder needs at least one tier."), field="tiers")
    codes = [t.code.strip() for t in tiers]
    thresholds = [t.threshold for t in tiers]
    if any(not c or len(c) > 40 for c in codes) or len(set(codes)) != len(codes):
        raise DomainError(INVALID_LADDER, _("Tier codes must be present, unique and at most 40 characters."),
                          field="tiers")
    if any(not isinstance(v, int) or not 0 <= v <= 10**12 for v in thresholds) or len(set(thresholds)) != len(thresholds):
        raise DomainError(INVALID_LADDER, _("Thresholds must be whole numbers from 0 to 1,000,000,000,000, all different."),
                          field="tiers")
    if any(t.validity_months is not None and not 1 <= t.validity_months <= 120 for t in tiers):
        raise DomainError(INVALID_LADDER, _("A validity is 1 to 120 months."), field="tiers")
    if any(not Decimal(0) <= Decimal(p) <= 100 for t in tiers for p in (t.discount_percent, t.birthday_discount_percent)):
        raise DomainError(INVALID_LADDER, _("A discount is 0 to 100 %."), field="tiers")
    if downgrade == Downgrade.EXPIRY and any(not t.validity_months for t in tiers):
        raise DomainError(INVALID_LADDER, _("A ladder that downgrades at expiry needs a validity for every tier."),
                          field="tiers")
    values = dict(name=name.strip()[:100] or "Tiers", basis=basis, window_months=window_months, downgrade=downgrade,
                  cutoff_frequency=cutoff_frequency, drop_mode=drop_mode, benefits_mode=benefits_mode,
                  is_active=is_active)
    ladder = TierLadder.objects.select_for_update().filter(organization_id=organization_id).first()
    if ladder is None:
        ladder = TierLadder.objects.create(organization_id=organization_id, **values)
    else:
        for key, value in values.items():
            setattr(ladder, key, value)
        ladder.version = F("version") + 1
        ladder.save()
        ladder.refresh_from_db()
    existing = {t.code: t for t in Tier.objects.filter(organization_id=organization_id, ladder=ladder)}
    Tier.objects.filter(organization_id=organization_id, ladder=ladder).exclude(code__in=codes).delete()
    # thresholds may swap between kept tiers: park them out of the unique key's way first
    Tier.objects.filter(organization_id=organization_id, ladder=ladder).update(threshold=F("id") + _PARKED)
    for t in tiers:
        row = existing.get(t.code.strip()) or Tier(organization_id=organization_id, ladder=ladder, code=t.code.strip())
        row.name, row.threshold = t.name.strip()[:100] or t.code, t.threshold
        row.validity_months, row.card_color = t.validity_months, t.card_color
        row.discount_percent, row.birthday_discount_percent = t.discount_percent, t.birthday_discount_percent
        row.save()
    audit_record(organization_id=organization_id, actor=actor, action="tiers.ladder_configure", obj=ladder,
                 changes={"tiers": [[t.code, t.threshold] for t in tiers], **{k: [None, str(v)] for k, v in values.items()}})
    transaction.on_commit(lambda: ladder_forget(organization_id))
    ladder_forget(organization_id)
    return ladder


@dataclass(frozen=True)
class Why:
    reason: str  # models.Reason
    detail: str = ""
    measure: int | None = None
    window: tuple[dt.datetime, dt.datetime] | None = None
    run_key: str = ""
    sale_id: int | None = None
    note: str = ""


def member_tier_move(
    *, organization_id: int, member_id: int, member_code: str, ladder: engine.Ladder, row: MemberTier | None,
    move: engine.Move, why: Why, on: dt.date, actor: Actor, now: dt.datetime | None = None,
) -> TierChange | None:
    """Apply a decided move to the member's state (``row`` as read under the caller's lock, or
    None) and write its history row and event. A renewal only moves the expiry (no history).
    Called inside the caller's transaction."""
    now = now or timezone.now()
    to_id = move.to.id if move.to is not None else None
    old = ladder.tier(row.tier.code) if row is not None and row.tier is not None else None
    if row is None:
        row = MemberTier(organization_id=organization_id, member_id=member_id)
    if move.reason == "renew":
        row.expires_on = move.expires_on
        row.save(update_fields=["expires_on", "updated_at"])
        return None
    row.tier_id, row.reached_on, row.expires_on = to_id, on, move.expires_on
    row.save()
    change = TierChange.objects.create(
        organization_id=organization_id, member_id=member_id,
        from_code=old.code if old else "", from_name=old.name if old else "",
        to_code=move.to.code if move.to else "", to_name=move.to.name if move.to else "",
        reason=why.reason, detail=why.detail, measure=why.measure,
        window_from=why.window[0] if why.window else None, window_to=why.window[1] if why.window else None,
        effective_on=on, changed_at=now, run_key=why.run_key, sale_id=why.sale_id, note=why.note,
        actor_label=actor.label, staff_user_id=actor.user_id,
    )
    event_record(organization_id=organization_id, kind=MEMBER_TIER_CHANGED, occurred_at=now, payload=lambda: {
        "member": member_code, "from": change.from_code or None, "to": change.to_code or None,
        "reason": change.reason, "detail": change.detail, "measure": change.measure,
        "window_from": change.window_from, "window_to": change.window_to, "effective_on": change.effective_on,
        "expires_on": row.expires_on,
    })
    return change


def member_tier_moves(
    *, organization_id: int, ladder: engine.Ladder, moves: list[tuple[MemberTier, engine.Move, Why, dt.date]],
    actor: Actor, codes: Callable[[list[int]], dict[int, str]], now: dt.datetime | None = None,
) -> int:
    """Many decided moves at once (a chunk of a cut-off or an expiry run), each ``(row, move,
    why, on)`` with its row as read under the caller's lock: the same rows and events as
    :func:`member_tier_move` one by one, in one UPDATE of the states and one INSERT of the
    history rows; ``codes(member_ids)`` (members' codes) is asked only when somebody listens to
    ``member.tier_changed``. Returns the history rows written (renewals write none)."""
    if not moves:
        return 0
    now = now or timezone.now()
    changes = []
    for row, move, why, on in moves:
        if move.reason == "renew":
            row.expires_on = move.expires_on
            continue
        old = ladder.tier(row.tier.code) if row.tier is not None else None
        row.tier_id, row.reached_on, row.expires_on = (move.to.id if move.to else None), on, move.expires_on
        changes.append(TierChange(
            organization_id=organization_id, member_id=row.member_id,
            from_code=old.code if old else "", from_name=old.name if old else "",
            to_code=move.to.code if move.to else "", to_name=move.to.name if move.to else "",
            reason=why.reason, detail=why.detail, measure=why.measure,
            window_from=why.window[0] if why.window else None, window_to=why.window[1] if why.window else None,
            effective_on=on, changed_at=now, run_key=why.run_key, sale_id=why.sale_id, note=why.note,
            actor_label=actor.label, staff_user_id=actor.user_id,
        ))
    rows = [row for row, _m, _w, _o in moves]
    for row in rows:
        row.updated_at = now
    _states_write(rows)
    TierChange.objects.bulk_create(changes, batch_size=1000)
    if changes and event_wanted(organization_id, MEMBER_TIER_CHANGED):
        code_of = codes([c.member_id for c in changes])
        expiry = {row.member_id: row.expires_on for row in rows}
        for change in changes:
            event_record(organization_id=organization_id, kind=MEMBER_TIER_CHANGED, occurred_at=now, payload={
                "member": code_of[change.member_id], "from": change.from_code or None, "to": change.to_code or None,
                "reason": change.reason, "detail": change.detail, "measure": change.measure,
                "window_from": change.window_from, "window_to": change.window_to,
                "effective_on": change.effective_on, "expires_on": expiry[change.member_id],
            })
    return len(changes)


def _states_write(rows: list[MemberTier]) -> None:
    """The states' new tier, dates and time in one statement: ``UPDATE ... FROM (VALUES ...)`` on
    PostgreSQL (``bulk_update``'s ``CASE WHEN`` per column grows with the square of the rows);
    ``bulk_update`` elsewhere."""
    if connection.vendor != "postgresql":
        MemberTier.objects.bulk_update(rows, ["tier", "reached_on", "expires_on", "updated_at"], batch_size=1000)
        return
    table = MemberTier._meta.db_table
    for start in range(0, len(rows), 1000):
        part = rows[start:start + 1000]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
        params: list[Any] = []
        for row in part:
            params += [row.pk, row.tier_id, row.reached_on, row.expires_on, row.updated_at]
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} AS s SET tier_id = CAST(v.tier_id AS bigint), reached_on = CAST(v.reached_on AS date), "
                f"expires_on = CAST(v.expires_on AS date), updated_at = CAST(v.updated_at AS timestamptz) "
                f"FROM (VALUES {values}) AS v(id, tier_id, reached_on, expires_on, updated_at) "
                f"WHERE s.id = CAST(v.id AS bigint)", params)


def member_tiers_lock(*, organization_id: int, member_ids: list[int]) -> None:
    """Lock these members' tier states (those that exist) in primary-key order: the one lock order
    of tier states, the cut-off's too (it locks its chunk by key). A transaction that may move two
    members (a sale's buyer and the referrer it credits) locks both here first, so it and a
    cut-off over the same states cannot wait for each other. Accounts come before tier states
    (``ledger.locking``); the cut-off locks no account."""
    list(MemberTier.objects.filter(organization_id=organization_id, member_id__in=member_ids).order_by("pk")
         .select_for_update().values_list("pk", flat=True))


def member_tier_lock(*, organization_id: int, member_id: int) -> MemberTier | None:
    """The member's tier state, locked, as the last committed change left it. Locked first and
    read after: a row locked while another transaction moved it comes back from PostgreSQL with
    the new version, but a join in the same statement may keep the old tier (then a concurrent
    upgrade would be written twice). A member without a row gets an empty one (no tier) first, so
    two first upgrades at once wait for each other instead of both inserting."""
    where = MemberTier.objects.filter(organization_id=organization_id, member_id=member_id)
    if not where.select_for_update().values_list("pk", flat=True).first():
        MemberTier.objects.bulk_create([MemberTier(organization_id=organization_id, member_id=member_id)],
                                       ignore_conflicts=True)
        where.select_for_update().values_list("pk", flat=True).first()
    return where.select_related("tier", "floor_tier").first()


@transaction.atomic
def member_tier_set(
    *, organization_id: int, member: Any, tier_code: str, until: dt.date | None, note: str, actor: Actor,
    today: dt.date | None = None,
) -> TierChange | None:
    """Set a member's tier by hand. The tier is a floor until ``until`` (inclusive; None: no end):
    cut-offs and expiry never drop the member below it before then; earnings may still raise it.
    ``note`` says why (required)."""
    ladder = ladder_for(organization_id)
    if ladder is None:
        raise DomainError(NO_LADDER, _("This organization has no tier ladder."), field="tier")
    today = today or timezone.now().astimezone(ladder.zone).date()
    tier = ladder.tier(tier_code)
    if tier is None:
        raise DomainError(UNKNOWN_TIER, _("No such tier."), field="tier")
    if not note.strip():
        raise DomainError(INVALID_LADDER, _("Say why the tier is set by hand."), field="note")
    if until is not None and until < today:
        raise DomainError(INVALID_LADDER, _("The end date is in the past."), field="until")
    row = member_tier_lock(organization_id=organization_id, member_id=member.pk)
    if row is None:
        row = MemberTier(organization_id=organization_id, member_id=member.pk)
    row.floor_tier_id, row.floor_until, row.floor_note = tier.id, until, note.strip()
    row.save()
    change = None
    if row.tier_id != tier.id:
        expires = until if ladder.downgrade == "expiry" else None
        change = member_tier_move(
            organization_id=organization_id, member_id=member.pk, member_code=member.code, ladder=ladder, row=row,
            move=engine.Move(to=tier, expires_on=expires or engine.expiry_of(ladder, tier, today), reason="manual"),
            why=Why(reason="manual", detail="floor", note=note.strip()), on=today, actor=actor,
        )
    audit_record(organization_id=organization_id, actor=actor, action="tiers.member_set", obj=row,
                 object_repr=member.code, changes={"tier": [None, tier.code], "until": [None, str(until or "")]},
                 reason=note.strip())
    return change
