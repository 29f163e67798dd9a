"""Writes for stored promotions and their settings: validated (``validation.py``), audited, and
each moving the organization's ``PromotionSettings.version`` in the same transaction, so every
process recompiles its promotion set (``compile.py``).

States: a promotion is created as a draft; ``activate`` puts a draft on sale, ``pause`` and
``resume`` take an active one off and back, ``end`` closes any promotion for good (an ended
promotion is no longer changed: copy it). Promotions are never deleted: sales and their
``PromotionUse`` rows name them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record, diff
from sasom.core.errors import Conflict, DomainError
from sasom.promotions.compile import promotion_compile, promotions_forget
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import ParamsError
from sasom.promotions.errors import (
    PROMOTION_CODE_TAKEN,
    PROMOTION_DATES_INVALID,
    PROMOTION_FIELD_INVALID,
    PROMOTION_PARAMS_INVALID,
    PROMOTION_STATE_INVALID,
)
from sasom.promotions.models import Mode, Promotion, PromotionSettings, Status
from sasom.promotions.validation import PROMOTION_FIELDS, audit_values, promotion_values, stored

SETTINGS_FIELDS = ["mode", "gifts_earn_points"]


def promotions_bump(*, organization_id: int) -> int:
    """Move the organization's promotions version on (in the caller's transaction)."""
    PromotionSettings.objects.get_or_create(organization_id=organization_id)
    PromotionSettings.objects.filter(organization_id=organization_id).update(version=F("version") + 1)
    promotions_forget(organization_id)
    transaction.on_commit(lambda: promotions_forget(organization_id))
    return PromotionSettings.objects.filter(organization_id=organization_id).values_list("version", flat=True).get()


def _snap(promotion: Promotion) -> dict[str, Any]:
    return audit_values({f: getattr(promotion, f) for f in [*PROMOTION_FIELDS, "status"]})


def _code_free(organization_id: int, code: str, exclude_id: int | None = None) -> None:
    qs = Promotion.objects.filter(organization_id=organization_id, code=code)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise Conflict(PROMOTION_CODE_TAKEN, _("another promotion has this code"), field="code")


def _locked(promotion: Promotion) -> Promotion:
    return Promotion.objects.select_for_update().get(pk=promotion.pk, organization_id=promotion.organization_id)


@transaction.atomic
def promotion_create(*, organization_id: int, actor: Actor, **data: Any) -> Promotion:
    """A new promotion, as a draft (``promotion_activate`` puts it on sale)."""
    values = promotion_values(organization_id, data)
    _code_free(organization_id, values["code"])
    promotion = Promotion.objects.create(organization_id=organization_id, status=Status.DRAFT,
                                         created_by_id=actor.user_id, **values)
    audit_record(organization_id=organization_id, actor=actor, action="promotions.create", obj=promotion,
                 changes=diff({}, _snap(promotion)))
    promotions_bump(organization_id=organization_id)
    return promotion


@transaction.atomic
def promotion_update(*, promotion: Promotion, actor: Actor, **data: Any) -> Promotion:
    """Change some fields (the others keep their stored values). A new kind without new
    parameters keeps only the stored parameters the new kind takes."""
    promotion = _locked(promotion)
    if promotion.status == Status.ENDED:
        raise Conflict(PROMOTION_STATE_INVALID, _("an ended promotion cannot be changed; copy it instead"),
                       field="status")
    unknown = sorted(set(data) - set(PROMOTION_FIELDS))
    if unknown:
        raise DomainError(PROMOTION_FIELD_INVALID, _("unknown field"), field=unknown[0])
    merged = stored(promotion) | data
    if "params" not in data and merged["kind"] != promotion.kind:
        spec = KINDS.get(merged["kind"])
        names = {p.name for p in spec.params} if spec is not None else set()
        merged["params"] = {k: v for k, v in (promotion.params or {}).items() if k in names}
    values = promotion_values(promotion.organization_id, merged)
    _code_free(promotion.organization_id, values["code"], exclude_id=promotion.pk)
    before = _snap(promotion)
    for field, value in values.items():
        setattr(promotion, field, value)
    promotion.save()
    changes = diff(before, _snap(promotion))
    if changes:
        audit_record(organization_id=promotion.organization_id, actor=actor, action="promotions.update",
                     obj=promotion, changes=changes)
        promotions_bump(organization_id=promotion.organization_id)
    return promotion


def _compiles(promotion: Promotion) -> None:
    """An active promotion must compile (its kind may have changed its parameters since)."""
    try:
        promotion_compile(promotion)
    except KeyError:
        raise DomainError(PROMOTION_PARAMS_INVALID, _("this promotion's kind no longer exists"), field="kind") from None
    except ParamsError as exc:
        raise DomainError(PROMOTION_PARAMS_INVALID, exc.message, field=f"params.{exc.field}") from None


_MOVES: dict[str, tuple[frozenset[str], str]] = {  # action -> (states it leaves, state it reaches)
    "activate": (frozenset({Status.DRAFT}), Status.ACTIVE),
    "pause": (frozenset({Status.ACTIVE}), Status.PAUSED),
    "resume": (frozenset({Status.PAUSED}), Status.ACTIVE),
    "end": (frozenset({Status.DRAFT, Status.ACTIVE, Status.PAUSED}), Status.ENDED),
}


def _move(promotion: Promotion, actor: Actor, action: str) -> Promotion:
    promotion = _locked(promotion)
    sources, target = _MOVES[action]
    if promotion.status == target:
        return promotion  # a repeated request changes nothing
    if promotion.status not in sources:
        raise Conflict(
            PROMOTION_STATE_INVALID,
            _("not possible for a promotion in state %(state)s") % {"state": promotion.get_status_display()},
            field="status",
        )
    if target == Status.ACTIVE:
        _compiles(promotion)
        if promotion.ends_at is not None and promotion.ends_at <= timezone.now():
            # on sale it would never apply again, yet the lists would call it active
            raise DomainError(PROMOTION_DATES_INVALID, _("its end has passed: move the end, or copy it"),
                              field="ends_at")
    before = promotion.status
    promotion.status = target
    promotion.save(update_fields=["status", "updated_at"])
    audit_record(organization_id=promotion.organization_id, actor=actor, action=f"promotions.{action}",
                 obj=promotion, changes={"status": [before, target]})
    promotions_bump(organization_id=promotion.organization_id)
    return promotion


@transaction.atomic
def promotion_activate(*, promotion: Promotion, actor: Actor) -> Promotion:
    """A draft goes on sale (its dates and hours still decide when it applies)."""
    return _move(promotion, actor, "activate")


@transaction.atomic
def promotion_pause(*, promotion: Promotion, actor: Actor) -> Promotion:
    return _move(promotion, actor, "pause")


@transaction.atomic
def promotion_resume(*, promotion: Promotion, actor: Actor) -> Promotion:
    return _move(promotion, actor, "resume")


@transaction.atomic
def promotion_end(*, promotion: Promotion, actor: Actor) -> Promotion:
    return _move(promotion, actor, "end")


@transaction.atomic
def promotion_copy(*, promotion: Promotion, actor: Actor, code: str, name: str = "") -> Promotion:
    """A draft with the same kind, parameters and conditions under a new code (uses start at 0)."""
    data = stored(promotion) | {"code": code, "name": name or promotion.name}
    values = promotion_values(promotion.organization_id, data)
    _code_free(promotion.organization_id, values["code"])
    copy = Promotion.objects.create(organization_id=promotion.organization_id, status=Status.DRAFT,
                                    created_by_id=actor.user_id, **values)
    audit_record(organization_id=promotion.organization_id, actor=actor, action="promotions.copy", obj=copy,
                 changes=diff({}, _snap(copy)), reason=f"copy of {promotion.code}")
    promotions_bump(organization_id=promotion.organization_id)
    return copy


@transaction.atomic
def promotion_settings_update(*, organization_id: int, actor: Actor, **data: Any) -> PromotionSettings:
    """How competing promotions are resolved, and whether free items earn points."""
    row, _created = PromotionSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    if unknown:
        raise DomainError(PROMOTION_FIELD_INVALID, _("unknown field"), field=unknown[0])
    mode = data.get("mode", row.mode)
    if mode not in Mode.values:
        raise DomainError(PROMOTION_FIELD_INVALID, _("mode must be best or priority"), field="mode")
    before = {f: getattr(row, f) for f in SETTINGS_FIELDS}
    row.mode = mode
    row.gifts_earn_points = bool(data.get("gifts_earn_points", row.gifts_earn_points))
    after = {f: getattr(row, f) for f in SETTINGS_FIELDS}
    if after == before:
        return row  # nothing changed: no audit entry, and no process recompiles its promotions
    row.save()
    audit_record(organization_id=organization_id, actor=actor, action="promotions.settings_update", obj=row,
                 changes=diff(before, after))
    promotions_bump(organization_id=organization_id)
    row.refresh_from_db()
    return row
