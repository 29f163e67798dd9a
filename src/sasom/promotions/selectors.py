"""Reads of stored promotions for the API and the back office (the till reads ``compile.py``)."""

from __future__ import annotations

from django.db.models import QuerySet

from sasom.promotions.models import Promotion, PromotionSettings


def promotions_list(*, organization_id: int, status: str = "", kind: str = "") -> QuerySet[Promotion]:
    qs = Promotion.objects.filter(organization_id=organization_id)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("priority", "code")


def promotion_by_code(*, organization_id: int, code: str) -> Promotion | None:
    return Promotion.objects.filter(organization_id=organization_id, code=code).first()


def promotion_get(*, organization_id: int, promotion_id: int) -> Promotion | None:
    return Promotion.objects.filter(organization_id=organization_id, pk=promotion_id).first()


def settings_get(*, organization_id: int) -> PromotionSettings:
    """The organization's settings; an unsaved default row when none was stored yet."""
    row = PromotionSettings.objects.filter(organization_id=organization_id).first()
    return row if row is not None else PromotionSettings(organization_id=organization_id, version=0)
