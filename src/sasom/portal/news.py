"""The portal's news: what the shop shows its members (a campaign, an opening, a promotion) with
its own picture. Marketing writes them in the back office (``views_news``); the portal shows a
member the published ones of the day meant for their member type and tier and, for news aimed at
a segment (any conditions of :mod:`sasom.segments`), only when the member is one of its members.

A page of news costs the same few queries however many items aim at segments: the news rows, then
one query asking, for the member, one ``EXISTS`` per segmented item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.dates import shop_date
from sasom.core.errors import DomainError
from sasom.core.uploads import PictureRefused, picture_prepared
from sasom.members.models import Member, MemberType
from sasom.notifications.links import LinkTarget
from sasom.organizations.models import Organization
from sasom.segments.builder import segment_members, segment_plain
from sasom.tiers.models import Tier
from sasom.tiers.selectors import tier_code_of

from .models import News

E_NEWS = "portal.news_invalid"


def _picture(upload: UploadedFile) -> ContentFile[bytes]:
    """The uploaded picture re-encoded (``core.uploads.picture_prepared``), or a form error."""
    try:
        return picture_prepared(upload)
    except PictureRefused as refused:
        raise DomainError(E_NEWS, str(refused), field="image") from None


FIELDS = ("title", "body", "link", "starts_on", "ends_on", "member_types", "tiers", "conditions", "is_published",
          "sort_order")


def _codes(organization_id: int, codes: Any, model: type[MemberType] | type[Tier], field: str) -> list[str]:
    wanted = sorted({str(c).strip() for c in (codes or []) if str(c).strip()})
    known = set(model.objects.filter(organization_id=organization_id, code__in=wanted).values_list("code", flat=True))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DomainError(E_NEWS, _("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, field=field)
    return wanted


@transaction.atomic
def news_save(*, organization_id: int, data: Mapping[str, Any], actor: Actor, image: UploadedFile | None = None,
              news: News | None = None) -> News:
    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError(E_NEWS, _("Give the news a title."), field="title")
    starts_on: dt.date | None = data.get("starts_on")
    ends_on: dt.date | None = data.get("ends_on")
    if starts_on is None:
        raise DomainError(E_NEWS, _("Give the first day it is shown."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(E_NEWS, _("The last day comes before the first."), field="ends_on")
    values = {
        "title": title[:200], "body": (data.get("body") or "").strip()[:2000], "link": (data.get("link") or "").strip(),
        "starts_on": starts_on, "ends_on": ends_on, "is_published": bool(data.get("is_published")),
        "sort_order": int(data.get("sort_order") or 0),
        "member_types": _codes(organization_id, data.get("member_types"), MemberType, "member_types"),
        "tiers": _codes(organization_id, data.get("tiers"), Tier, "tiers"),
        "conditions": segment_plain(data.get("conditions") or []),
    }
    creating = news is None
    row = News(organization_id=organization_id) if news is None else News.objects.select_for_update().get(pk=news.pk)
    before = {} if creating else {k: str(getattr(row, k)) for k in FIELDS}
    for key, value in values.items():
        setattr(row, key, value)
    if image is not None:
        row.image = _picture(image)
    row.save()
    after = {k: str(getattr(row, k)) for k in FIELDS}
    audit_record(organization_id=organization_id, actor=actor, action="portal.news_save", obj=row,
                 object_repr=row.title[:100],
                 changes={k: [before.get(k), v] for k, v in after.items() if creating or before[k] != v})
    return row


@transaction.atomic
def news_delete(*, news: News, actor: Actor) -> None:
    audit_record(organization_id=news.organization_id, actor=actor, action="portal.news_delete", obj=news,
                 object_repr=news.title[:100], changes={"title": [news.title, None]})
    news.image.delete(save=False)
    news.delete()


def news_for_member(member: Member, today: dt.date, *, time_zone: str | None = None) -> list[News]:
    """The published news of ``today`` meant for the member's type, tier and segment, in the
    shop's order (``time_zone``, the organization's, saves a query when a segment needs it)."""
    rows = list(News.objects.filter(organization_id=member.organization_id, is_published=True,
                                    starts_on__lte=today).exclude(ends_on__lt=today)[:50])
    if not rows:
        return []
    type_code = member.member_type.code
    tier = tier_code_of(organization_id=member.organization_id, member_id=member.pk) if any(
        r.tiers for r in rows) else ""
    rows = [r for r in rows if (not r.member_types or type_code in r.member_types) and (not r.tiers or tier in r.tiers)]
    inside = _segments_holding(member, [r for r in rows if r.conditions], today, time_zone)
    return [r for r in rows if not r.conditions or r.pk in inside]


def _segments_holding(member: Member, rows: list[News], today: dt.date, time_zone: str | None) -> set[int]:
    """The news (of ``rows``) whose segment holds the member: one query for them all."""
    if not rows:
        return set()
    zone = time_zone or Organization.objects.filter(pk=member.organization_id).values_list(
        "time_zone", flat=True).first()
    tests = {}
    for row in rows:
        try:
            members = segment_members(organization_id=member.organization_id, conditions=row.conditions,
                                      today=today, time_zone=zone)
        except DomainError:  # stored before a rule changed: shown to nobody until saved again
            continue
        tests[f"news_{row.pk}"] = Exists(members.filter(pk=OuterRef("pk")))
    if not tests:
        return set()
    found = Member.objects.filter(pk=member.pk).annotate(**tests).values(*tests).first() or {}
    return {int(name.removeprefix("news_")) for name, held in found.items() if held}


def news_get(member: Member, pk: int, today: dt.date, *, time_zone: str | None = None) -> News:
    for row in news_for_member(member, today, time_zone=time_zone):
        if row.pk == pk:
            return row
    raise Http404("no such news for this member")


def news_link(organization: Organization, news_id: int) -> str:
    """A news item's portal address, full when ``SASOM_PUBLIC_URL`` is set."""
    return settings.PUBLIC_URL.rstrip("/") + reverse("portal:news_item", args=[organization.code, news_id])


def news_links(organization: Organization, today: dt.date) -> list[LinkTarget]:
    """The news a broadcast may link to: published and not ended (those starting later say when)."""
    rows = News.objects.filter(organization=organization, is_published=True).exclude(ends_on__lt=today).only(
        "pk", "title", "starts_on")[:100]
    return [LinkTarget(key=f"news:{row.pk}", url=news_link(organization, row.pk),
                       title=row.title if row.starts_on <= today else _("%(title)s (from %(day)s)") % {
                           "title": row.title, "day": shop_date(row.starts_on, organization, language=get_language() or "")})
            for row in rows]
