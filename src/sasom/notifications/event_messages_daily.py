"""Date-based event messages, sent by the daily job ``event_messages`` for one organization and
one day: birthdays, points expiring, membership expiring (renewal reminder), membership
anniversaries and a date of the shop's choosing (a date custom field, such as a wedding
anniversary). Idempotent: each message's source names the member and the occasion (the year, or
the expiry date), so a rerun or a catch-up sends nothing twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Min, Q, QuerySet, Sum

from sasom.core import calendars
from sasom.ledger.models import Lot
from sasom.members.models import Member
from sasom.organizations.models import Organization

from .event_messages import event_message_send
from .events import (
    ANNIVERSARY,
    BIRTHDAY,
    BIRTHDAY_MONTH,
    CUSTOM_DATE,
    MEMBERSHIP_EXPIRING,
    POINTS_EXPIRING,
)
from .models import EventMessage

DAILY = (BIRTHDAY, BIRTHDAY_MONTH, POINTS_EXPIRING, MEMBERSHIP_EXPIRING, ANNIVERSARY, CUSTOM_DATE)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days(on_date: dt.date) -> tuple[int, ...]:
    """The days of ``on_date``'s month celebrated today: the 29th of February is celebrated on
    the 28th in other years."""
    if on_date.month == 2 and on_date.day == 28 and not _leap(on_date.year):
        return (28, 29)
    return (on_date.day,)


def _active(organization_id: int) -> QuerySet[Member]:
    return Member.objects.filter(organization_id=organization_id, status=Member.Status.ACTIVE)


def _birthdays(organization_id: int, on_date: dt.date) -> QuerySet[Member]:
    return _active(organization_id).filter(birth_on__month=on_date.month, birth_on__day__in=_days(on_date))


def _calendar_birthdays(organization_id: int, on_date: dt.date, calendar: str) -> Iterator[Member]:
    """Birthdays in the organization's period calendar (``core.calendars``): Jalali birthdays
    fall on varying Gregorian days, so the few candidate days are read and the calendar decides
    (30 Esfand is celebrated on 29 Esfand in a common year)."""
    if calendar != calendars.JALALI:
        yield from _birthdays(organization_id, on_date).iterator(chunk_size=500)
        return
    near = Q()
    for day in calendars.near_days(on_date):
        near |= Q(birth_on__month=day.month, birth_on__day=day.day)
    for member in _active(organization_id).filter(near).iterator(chunk_size=500):
        if member.birth_on is not None and calendars.is_birthday(member.birth_on, on_date, calendar):
            yield member


def _birth_month(organization_id: int, on_date: dt.date, calendar: str) -> tuple[str, QuerySet[Member]] | None:
    """On the first day of a month (the calendar's), its key and the members born in it."""
    if calendar != calendars.JALALI:
        if on_date.day != 1:
            return None
        return f"{on_date:%Y-%m}", _active(organization_id).filter(birth_on__month=on_date.month)
    year, month, day = calendars.to_calendar(on_date, calendar)
    if day != 1:
        return None
    born = Q()
    for first, last in calendars.month_spans(month, year - 130, year, calendar):
        born |= Q(birth_on__range=(first, last))
    return f"j{year}-{month:02d}", _active(organization_id).filter(born)


def _years_on(when: dt.date, on_date: dt.date, calendar: str) -> int:
    """How many whole years ``when`` turns on ``on_date`` when that is its anniversary in
    ``calendar`` (30 Esfand on 29 Esfand in a common year, 29 February on the 28th), else 0."""
    if not calendars.is_birthday(when, on_date, calendar):
        return 0
    return calendars.to_calendar(on_date, calendar)[0] - calendars.to_calendar(when, calendar)[0]


def _candidate_days(on_date: dt.date, calendar: str) -> list[dt.date]:
    """The Gregorian (month, day) pairs whose anniversary can be ``on_date``: the day itself (and
    29 February on a common year's 28th); in Jalali, the days around it (Nowruz moves)."""
    if calendar == calendars.JALALI:
        return calendars.near_days(on_date)
    return [dt.date(2000, on_date.month, day) for day in _days(on_date)]  # 2000: a leap year


def _anniversaries(organization_id: int, on_date: dt.date, calendar: str) -> Iterator[tuple[Member, int]]:
    """Members whose joining day comes round today in the period calendar, with the years."""
    near = Q()
    for day in _candidate_days(on_date, calendar):
        near |= Q(joined_on__month=day.month, joined_on__day=day.day)
    for member in _active(organization_id).filter(near, joined_on__lt=on_date).iterator(chunk_size=500):
        years = _years_on(member.joined_on, on_date, calendar)
        if years > 0:
            yield member, years


def _custom_dates(organization_id: int, key: str, on_date: dt.date, calendar: str) -> list[tuple[Member, int]]:
    """Members whose date custom field ``key`` (stored ISO, ``YYYY-MM-DD``) comes round today in the
    period calendar, with the years."""
    found = []
    for day in _candidate_days(on_date, calendar):
        suffix = f"-{day.month:02d}-{day.day:02d}"
        for member in _active(organization_id).filter(**{f"custom__{key}__endswith": suffix}).iterator(chunk_size=500):
            try:
                when = dt.date.fromisoformat(str(member.custom.get(key)))
            except ValueError:
                continue
            years = _years_on(when, on_date, calendar) if when < on_date else 0
            if years > 0:
                found.append((member, years))
    return found


def _send(organization: Organization, member: Member, event: str, source: str, now: dt.datetime | None,
          extra: dict[str, Any] | None = None) -> int:
    with transaction.atomic():
        return len(event_message_send(organization=organization, member=member, event=event, source=source,
                                      extra=extra, now=now))


def event_messages_daily_run(*, organization_id: int, on_date: dt.date, now: dt.datetime | None = None) -> int:
    """The date-based messages of ``on_date`` for one organization. Returns messages queued."""
    organization = Organization.objects.get(pk=organization_id)
    rows: dict[str, list[EventMessage]] = {}
    for row in EventMessage.objects.filter(organization_id=organization_id, is_active=True, event__in=DAILY):
        rows.setdefault(row.event, []).append(row)
    queued = 0
    calendar = calendars.period_calendar(organization)
    year = calendars.to_calendar(on_date, calendar)[0] if calendar == calendars.JALALI else on_date.year
    if BIRTHDAY in rows:
        for member in _calendar_birthdays(organization_id, on_date, calendar):
            queued += _send(organization, member, BIRTHDAY, f"member:{member.pk}:{year}", now)
    birth_month = _birth_month(organization_id, on_date, calendar) if BIRTHDAY_MONTH in rows else None
    if birth_month is not None:
        key, members = birth_month
        for member in members.iterator(chunk_size=500):
            queued += _send(organization, member, BIRTHDAY_MONTH, f"member:{member.pk}:{key}", now)
    if ANNIVERSARY in rows:
        for member, years in _anniversaries(organization_id, on_date, calendar):
            queued += _send(organization, member, ANNIVERSARY, f"member:{member.pk}:{year}", now, {"years": years})
    if CUSTOM_DATE in rows:
        for key in sorted({row.date_field for row in rows[CUSTOM_DATE] if row.date_field}):
            for member, years in _custom_dates(organization_id, key, on_date, calendar):
                queued += _send(organization, member, CUSTOM_DATE, f"member:{member.pk}:{key}:{year}", now,
                                {"years": years})
    if MEMBERSHIP_EXPIRING in rows:
        horizon = on_date + dt.timedelta(days=max(r.days_before for r in rows[MEMBERSHIP_EXPIRING]))
        members = _active(organization_id).filter(expires_on__gte=on_date, expires_on__lte=horizon)
        for member in members.iterator(chunk_size=500):
            assert member.expires_on is not None  # filtered above
            queued += _send(organization, member, MEMBERSHIP_EXPIRING,
                            f"member:{member.pk}:{member.expires_on.isoformat()}", now,
                            {"expiry_date": member.expires_on})
    if POINTS_EXPIRING in rows:
        queued += _points_expiring(organization, rows[POINTS_EXPIRING], on_date, now)
    return queued


def _points_expiring(organization: Organization, rows: list[EventMessage], on_date: dt.date,
                     now: dt.datetime | None) -> int:
    horizon = on_date + dt.timedelta(days=max(r.days_before for r in rows))
    lots = (Lot.objects.filter(organization_id=organization.pk, remaining__gt=0, is_pending=False,
                               expires_on__gte=on_date, expires_on__lte=horizon)
            .values("account__member_id").annotate(points=Sum("remaining"), first=Min("expires_on")))
    members = {m.pk: m for m in Member.objects.filter(
        organization_id=organization.pk, status__in=(Member.Status.ACTIVE, Member.Status.EXPIRED),
        pk__in=[r["account__member_id"] for r in lots])}
    queued = 0
    for lot in lots:
        member = members.get(lot["account__member_id"])
        if member is not None:
            queued += _send(organization, member, POINTS_EXPIRING,
                            f"member:{member.pk}:{lot['first'].isoformat()}", now,
                            {"points": int(lot["points"]), "expiry_date": lot["first"]})
    return queued
