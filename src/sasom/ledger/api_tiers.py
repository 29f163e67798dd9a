"""Tiers over the JSON API (docs/tiers.md): a member's tier history, the ladder, setting a tier by
hand, and "re-evaluate all members now" (preview, then a run in the worker and its progress). It lives beside the ledger because
the evaluations read the points earned; the member's tier block is in ``GET /members/{code}``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from sasom.core.audit import Actor
from sasom.core.errors import NotFound
from sasom.core.inputs import body_none
from sasom.core.schemas import StrictIn
from sasom.integrations.auth import api_auth, api_require
from sasom.ledger.services.tier_reevaluation import (
    tier_reevaluation_of,
    tier_reevaluation_preview,
    tier_reevaluation_start,
)
from sasom.members.selectors import member_by_code
from sasom.tiers import errors
from sasom.tiers.models import Reevaluation, Tier, TierChange, TierLadder
from sasom.tiers.selectors import ladder_row, tier_history
from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

router = Router(tags=["tiers"], auth=api_auth)

Reason = Literal["upgrade", "downgrade", "manual", "reevaluation"]


class TierChangeOut(Schema):
    changed_at: dt.datetime
    effective_on: dt.date
    from_tier: str | None = Field(..., description="tier code before; null: none")
    to_tier: str | None
    reason: Reason
    detail: str = Field(..., description="sale, cutoff:<frequency>, expiry, floor, upgrade/downgrade (re-evaluation)")
    measure: int | None = Field(..., description="points (or baht) in the window that decided it")
    window_from: dt.datetime | None
    window_to: dt.datetime | None
    note: str

    @staticmethod
    def of(row: TierChange) -> TierChangeOut:
        return TierChangeOut(
            changed_at=row.changed_at, effective_on=row.effective_on, from_tier=row.from_code or None,
            to_tier=row.to_code or None, reason=cast(Reason, row.reason), detail=row.detail,
            measure=row.measure, window_from=row.window_from, window_to=row.window_to, note=row.note,
        )


class TierHistoryOut(Schema):
    items: list[TierChangeOut]


@router.get("/members/{code}/tier-history", response=TierHistoryOut, summary="A member's tier changes, newest first")
def member_tier_history(request: HttpRequest, code: str) -> TierHistoryOut:
    principal = api_require(request, "points.view")
    member = member_by_code(principal.organization_id, code)
    rows = tier_history(organization_id=principal.organization_id, member_id=member.pk)[:200]
    return TierHistoryOut(items=[TierChangeOut.of(r) for r in rows])


class TierSetIn(StrictIn):
    tier: str = Field(..., min_length=1, max_length=40)
    until: dt.date | None = Field(None, description="last day of the floor; null: no end")
    note: str = Field(..., min_length=1, max_length=500, description="why (required)")


@router.post("/members/{code}/tier", response=TierHistoryOut,
             summary="Set a member's tier by hand: a floor until its end date")
def member_tier_put(request: HttpRequest, code: str, body: TierSetIn) -> TierHistoryOut:
    principal = api_require(request, "member_types.manage")
    member = member_by_code(principal.organization_id, code)
    member_tier_set(organization_id=principal.organization_id, member=member, tier_code=body.tier.strip(),
                    until=body.until, note=body.note, actor=Actor.from_request(request))
    rows = tier_history(organization_id=principal.organization_id, member_id=member.pk)[:200]
    return TierHistoryOut(items=[TierChangeOut.of(r) for r in rows])


Basis = Literal["points", "spend"]
Downgrade = Literal["expiry", "cutoff"]
Frequency = Literal["monthly", "quarterly", "half_yearly", "yearly"]
Drop = Literal["to_reached", "one_step"]
Benefits = Literal["stack", "replace"]


class TierConfig(StrictIn):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    threshold: StrictInt = Field(..., ge=0, le=10**12)
    validity_months: StrictInt | None = Field(None, ge=1, le=120)
    card_color: str = Field("#64748b", pattern=r"^#[0-9a-fA-F]{6}$")
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, decimal_places=2,
                                      description="member discount %, with the member type's (see benefits_mode)")
    birthday_discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, decimal_places=2)


class LadderIn(StrictIn):
    name: str = Field("Tiers", max_length=100)
    is_active: StrictBool = True
    basis: Basis = "points"
    window_months: Literal[1, 3, 6, 12] = 12
    downgrade: Downgrade = "cutoff"
    cutoff_frequency: Frequency = "yearly"
    drop_mode: Drop = "to_reached"
    benefits_mode: Benefits = "stack"
    tiers: list[TierConfig] = Field(..., min_length=1, max_length=20)


class LadderOut(Schema):
    name: str
    is_active: bool
    basis: str
    window_months: int
    downgrade: str
    cutoff_frequency: str
    drop_mode: str
    benefits_mode: str
    tiers: list[TierConfig]

    @staticmethod
    def of(row: TierLadder) -> LadderOut:
        tiers = Tier.objects.filter(organization_id=row.organization_id, ladder=row).order_by("threshold")
        return LadderOut(
            name=row.name, is_active=row.is_active, basis=row.basis, window_months=row.window_months,
            downgrade=row.downgrade, cutoff_frequency=row.cutoff_frequency, drop_mode=row.drop_mode,
            benefits_mode=row.benefits_mode,
            tiers=[TierConfig(code=t.code, name=t.name, threshold=t.threshold, validity_months=t.validity_months,
                              card_color=t.card_color, discount_percent=t.discount_percent,
                              birthday_discount_percent=t.birthday_discount_percent) for t in tiers],
        )


@router.get("/tiers/ladder", response=LadderOut, summary="The tier ladder")
def ladder_read(request: HttpRequest) -> LadderOut:
    principal = api_require(request, "rules.view")
    row = ladder_row(principal.organization_id)
    if row is None:
        raise NotFound(errors.NO_LADDER, "This organization has no tier ladder.")
    return LadderOut.of(row)


@router.put("/tiers/ladder", response=LadderOut,
            summary="Create or replace the tier ladder (applies from the next earning on)")
def ladder_put(request: HttpRequest, body: LadderIn) -> LadderOut:
    principal = api_require(request, "rules.manage")
    row = ladder_configure(
        organization_id=principal.organization_id, actor=Actor.from_request(request), name=body.name,
        is_active=body.is_active, basis=body.basis, window_months=body.window_months, downgrade=body.downgrade,
        cutoff_frequency=body.cutoff_frequency, drop_mode=body.drop_mode, benefits_mode=body.benefits_mode,
        tiers=[TierIn(code=t.code, name=t.name, threshold=t.threshold, validity_months=t.validity_months,
                      card_color=t.card_color, discount_percent=t.discount_percent,
                      birthday_discount_percent=t.birthday_discount_percent) for t in body.tiers],
    )
    return LadderOut.of(row)


class SampleMoveOut(Schema):
    member: str = Field(..., description="member code")
    name: str
    from_tier: str | None
    to_tier: str | None
    measure: int = Field(..., description="points (or baht) in the window")


class ReevaluationPreviewOut(Schema):
    as_of: dt.datetime = Field(..., description="the window is counted back from this moment")
    members: int = Field(..., description="members looked at")
    moves: dict[str, int] = Field(..., description='counts per move, "GOLD→BASIC"; "-" is no tier')
    sample: list[SampleMoveOut] = Field(..., description="up to 20 of the members who would move")


@router.post("/tiers/reevaluation/preview", response=ReevaluationPreviewOut,
             summary="Re-evaluate all members now, preview: the moves it would make (nothing written)")
def reevaluation_preview(request: HttpRequest) -> ReevaluationPreviewOut:
    principal = api_require(request, "rules.manage")
    body_none(request)
    found = tier_reevaluation_preview(organization_id=principal.organization_id)
    return ReevaluationPreviewOut(as_of=found.as_of, members=found.members, moves=found.moves, sample=[
        SampleMoveOut(member=m.member_code, name=m.member_name, from_tier=m.from_tier, to_tier=m.to_tier,
                      measure=m.measure) for m in found.sample])


class ReevaluationOut(Schema):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    created: bool = Field(False, description="false: a run already queued or running was answered")
    as_of: dt.datetime
    members_total: int
    members_done: int
    moves: dict[str, int] = Field(..., description="members moved so far, per move")
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def of(job: Reevaluation, created: bool = False) -> ReevaluationOut:
        return ReevaluationOut(
            id=job.pk, status=cast(Any, job.status), created=created, as_of=job.as_of,
            members_total=job.members_total, members_done=job.members_done, moves=job.moves,
            created_at=job.created_at, finished_at=job.finished_at)


@router.post("/tiers/reevaluation", response={202: ReevaluationOut},
             summary="Re-evaluate all members now: queue the run in the worker (one at a time)")
def reevaluation_start(request: HttpRequest) -> Status[ReevaluationOut]:
    principal = api_require(request, "rules.manage")
    body_none(request)
    job, created = tier_reevaluation_start(organization_id=principal.organization_id,
                                           actor=Actor.from_request(request))
    return Status(202, ReevaluationOut.of(job, created))


@router.get("/tiers/reevaluation/{reevaluation_id}", response=ReevaluationOut,
            summary="A re-evaluation's progress and counts")
def reevaluation_read(request: HttpRequest, reevaluation_id: int) -> ReevaluationOut:
    principal = api_require(request, "rules.manage")
    job = tier_reevaluation_of(organization_id=principal.organization_id, reevaluation_id=reevaluation_id)
    if job is None:
        raise NotFound(errors.NO_REEVALUATION, "No such re-evaluation.")
    return ReevaluationOut.of(job)
