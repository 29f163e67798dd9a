"""Messages on events: the shop's switches and templates per event and channel, and sending them.

Stream events (registration, purchase, points used) arrive through the subscriber this app
registers (:func:`events_subscribe`), inside the transaction that recorded them: a sale that
rolls back sends nothing. Date-based ones (birthday, points expiring) come from the daily job,
written as an idempotent service per organization and day (:func:`event_messages_daily_run`).
Every message carries ``event_key`` ("<event>:<source>"), unique per channel, so an event is
sent at most once per channel however often it is seen.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core import events as stream
from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.ledger.models import Lot, PointAccount
from sasom.members.models import Member
from sasom.organizations.models import Organization

from .errors import E_CHANNEL, E_EVENT, E_TEMPLATE
from .events import BIRTHDAY, EVENTS, POINTS_EXPIRING, PURCHASE, REDEMPTION, REGISTRATION, EventSpec
from .models import Channel, ChannelConfig, EventMessage, Message
from .services import member_message_send
from .sms import SmsCount, sms_count
from .templating import date_text, template_check, template_render

MAX_BODY = 2000
MAX_DAYS_BEFORE = 365
ACTIVE_TTL_SECONDS = 30.0

# organization id -> (valid until, events switched on): asked on every recorded event
_active: dict[int, tuple[float, frozenset[str]]] = {}
_lock = threading.Lock()


def events_active(organization_id: int) -> frozenset[str]:
    now = time.monotonic()
    hit = _active.get(organization_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = frozenset(EventMessage.objects.filter(organization_id=organization_id, is_active=True)
                      .values_list("event", flat=True))
    with _lock:
        _active[organization_id] = (now + ACTIVE_TTL_SECONDS, found)
    return found


def forget_active(organization_id: int | None = None) -> None:
    with _lock:
        if organization_id is None:
            _active.clear()
        else:
            _active.pop(organization_id, None)


def _language(organization: Organization) -> str:
    return "en" if (organization.language or "th").startswith("en") else "th"


def _text_of(row: EventMessage, language: str) -> tuple[str, str]:
    """(subject, body) in ``language``, the other language when that one is empty."""
    order = ("th", "en") if language == "th" else ("en", "th")
    for lang in order:
        body = getattr(row, f"body_{lang}")
        if body.strip():
            return getattr(row, f"subject_{lang}"), body
    return "", ""


def member_balance(member: Member) -> int:
    total = PointAccount.objects.filter(organization_id=member.organization_id, member=member).aggregate(
        s=Sum("spendable"))["s"]
    return int(total or 0)


def member_values(organization: Organization, member: Member, *, language: str, extra: dict[str, Any] | None = None,
                  balance: int | None = None) -> dict[str, str]:
    base = settings.PUBLIC_URL.rstrip("/")
    values: dict[str, Any] = {
        "name": member.first_name or member.full_name or member.code, "shop": organization.name, "code": member.code,
        "link": f"{base}/m/{organization.code}/", "balance": f"{balance if balance is not None else member_balance(member):,}",
    }
    values.update(member_values_extra(organization, extra or {}, language))
    return {k: str(v) for k, v in values.items()}


# -- configuration ------------------------------------------------------------------------------

@transaction.atomic
def event_message_save(
    *, organization_id: int, event: str, channel: str, is_active: bool, body_th: str, body_en: str,
    subject_th: str = "", subject_en: str = "", days_before: int = 30, actor: Actor,
) -> EventMessage:
    spec = EVENTS.get(event)
    if spec is None or not spec.wired:
        raise DomainError(E_EVENT, _("Unknown event."), field="event")
    if channel not in Channel.values:
        raise DomainError(E_CHANNEL, _("Unknown channel."), field="channel")
    texts = {"body_th": body_th.strip(), "body_en": body_en.strip(), "subject_th": subject_th.strip(),
             "subject_en": subject_en.strip()}
    for name, text in texts.items():
        if len(text) > (MAX_BODY if name.startswith("body") else 200):
            raise DomainError(E_TEMPLATE, _("This text is too long."), field=name)
        template_check(text, spec.placeholders, field=name)
    if is_active and not (texts["body_th"] or texts["body_en"]):
        raise DomainError(E_TEMPLATE, _("Write the text in Thai or English before switching it on."), field="body_th")
    if not 1 <= int(days_before) <= MAX_DAYS_BEFORE:
        raise DomainError(E_TEMPLATE, _("Days before: from 1 to 365."), field="days_before")
    row, created = EventMessage.objects.select_for_update().get_or_create(
        organization_id=organization_id, event=event, channel=channel)
    before = {"is_active": row.is_active, **{k: getattr(row, k) for k in texts}, "days_before": row.days_before}
    row.is_active = is_active
    row.days_before = int(days_before)
    for name, text in texts.items():
        setattr(row, name, text)
    row.save()
    after = {"is_active": is_active, **texts, "days_before": row.days_before}
    audit_record(organization_id=organization_id, actor=actor, action="notify.event_message_save", obj=row,
                 changes={k: [None if created else before[k], v] for k, v in after.items() if created or before[k] != v})
    forget_active(organization_id)  # this process at once, and again once the change is visible to all
    transaction.on_commit(lambda: forget_active(organization_id))
    return row


@dataclass(frozen=True)
class Preview:
    subject: str
    text: str
    count: SmsCount
    cost: Decimal | None  # per message on the channel's gateway, when it has one


def event_message_preview(*, organization: Organization, event: str, channel: str, body: str, subject: str = "",
                          member: Member | None, language: str) -> Preview:
    """The text as ``member`` would get it (or with sample values), its SMS parts and cost."""
    spec = EVENTS.get(event)
    if spec is None:
        raise DomainError(E_EVENT, _("Unknown event."), field="event")
    template_check(body, spec.placeholders, field="body_th" if language == "th" else "body_en")
    sample = _sample_extra(organization, spec)
    if member is not None:
        values = member_values(organization, member, language=language, extra=sample)
    else:
        values = {"name": _("Somchai"), "shop": organization.name, "code": "M0000001", "balance": "1,250",
                  "link": f"{settings.PUBLIC_URL.rstrip('/')}/m/{organization.code}/",
                  **member_values_extra(organization, sample, language)}
    text = template_render(body, values)
    count = sms_count(text)
    config = ChannelConfig.objects.filter(organization=organization, channel=channel, is_active=True).first()
    cost = None
    if config is not None:
        cost = count.cost(config.cost_per_segment) if channel == Channel.SMS else config.cost_per_segment
    return Preview(subject=template_render(subject, values), text=text, count=count, cost=cost)


def member_values_extra(organization: Organization, extra: dict[str, Any], language: str) -> dict[str, str]:
    out = {}
    for key, value in extra.items():
        if isinstance(value, dt.date):
            value = date_text(value, language=language, buddhist_era=organization.buddhist_era)
        elif isinstance(value, int):
            value = f"{value:,}"
        out[key] = str(value)
    return out


def _sample_extra(organization: Organization, spec: EventSpec) -> dict[str, Any]:
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(organization.time_zone or "Asia/Bangkok"))
    extra: dict[str, Any] = {}
    if "points" in spec.placeholders:
        extra["points"] = 120
    if "expiry_date" in spec.placeholders:
        extra["expiry_date"] = today + dt.timedelta(days=30)
    if "tier" in spec.placeholders:
        extra["tier"] = "Gold"
    return extra


# -- sending ------------------------------------------------------------------------------------

def event_message_send(
    *, organization: Organization, member: Member, event: str, source: str, extra: dict[str, Any] | None = None,
    balance: int | None = None, now: dt.datetime | None = None,
) -> list[Message]:
    """Send ``event`` to ``member`` on every channel where the shop switched it on; the key
    ``<event>:<source>`` makes a second call for the same source send nothing."""
    spec = EVENTS[event]
    rows = EventMessage.objects.filter(organization=organization, event=event, is_active=True)
    language = _language(organization)
    values = None
    sent = []
    for row in rows:
        subject, body = _text_of(row, language)
        if not body:
            continue
        if values is None:
            values = member_values(organization, member, language=language, extra=extra, balance=balance)
        message = member_message_send(
            organization=organization, member=member, channel=row.channel, kind=spec.kind, purpose=event,
            subject=template_render(subject, values), body=template_render(body, values),
            event_key=f"{event}:{source}", may_wait=spec.date_based, now=now)
        if message is not None:
            sent.append(message)
    return sent


def _member(organization_id: int, code: str | None) -> tuple[Organization, Member] | None:
    if not code:
        return None
    member = Member.objects.select_related("organization").filter(organization_id=organization_id, code=code).first()
    return (member.organization, member) if member is not None else None


def _on_member_created(event: stream.Event) -> None:
    found = _member(event.organization_id, event.payload.get("member"))
    if found is not None:
        event_message_send(organization=found[0], member=found[1], event=REGISTRATION, source=f"member:{found[1].pk}",
                           balance=0)


def _on_points(event_type: str, wanted_kinds: frozenset[str]) -> stream.Handler:
    def handle(event: stream.Event) -> None:
        payload = event.payload
        if payload.get("kind") not in wanted_kinds or _stale(event):
            return
        found = _member(event.organization_id, payload.get("member"))
        if found is None:
            return
        balance = (payload.get("balance") or {}).get("spendable")
        event_message_send(organization=found[0], member=found[1], event=event_type,
                           source=f"entry:{payload.get('entry_id')}", extra={"points": abs(int(payload.get("points") or 0))},
                           balance=int(balance) if balance is not None else None)

    return handle


def _stale(event: stream.Event) -> bool:
    """An event that happened long before it was recorded (a day-end batch, a back-posted
    receipt): members are not told about it now (``NOTIFY_EVENT_MAX_AGE_HOURS``)."""
    hours = settings.NOTIFY_EVENT_MAX_AGE_HOURS
    return hours is not None and event.recorded_at - event.occurred_at > dt.timedelta(hours=hours)


def _wants(event_type: str) -> stream.Wants:
    return lambda organization_id: event_type in events_active(organization_id)


def events_subscribe() -> None:
    """Called once from the app's ``ready()``. ``member.tier_changed`` (issue 12) joins here."""
    stream.subscribe(stream.MEMBER_CREATED, _on_member_created, wants=_wants(REGISTRATION))
    stream.subscribe(stream.POINTS_EARNED, _on_points(PURCHASE, frozenset({"earn"})), wants=_wants(PURCHASE))
    stream.subscribe(stream.POINTS_REDEEMED, _on_points(REDEMPTION, frozenset({"redeem", "purchase"})),
                     wants=_wants(REDEMPTION))


# -- date-based ---------------------------------------------------------------------------------

def _birthdays(organization_id: int, on_date: dt.date) -> Any:
    members = Member.objects.filter(organization_id=organization_id, status=Member.Status.ACTIVE,
                                    birth_on__month=on_date.month, birth_on__day=on_date.day)
    if on_date.month == 2 and on_date.day == 28 and not _leap(on_date.year):
        # born on 29 February: greeted on the 28th in other years
        members = Member.objects.filter(organization_id=organization_id, status=Member.Status.ACTIVE,
                                        birth_on__month=2, birth_on__day__in=(28, 29))
    return members


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def event_messages_daily_run(*, organization_id: int, on_date: dt.date, now: dt.datetime | None = None) -> int:
    """Birthday greetings and points-expiry reminders of ``on_date`` for one organization.
    Idempotent: run twice (or after a crash), it sends nothing twice. Returns messages queued."""
    organization = Organization.objects.get(pk=organization_id)
    active = {row.event: row for row in EventMessage.objects.filter(
        organization_id=organization_id, is_active=True, event__in=(BIRTHDAY, POINTS_EXPIRING))}
    queued = 0
    if BIRTHDAY in active:
        for member in _birthdays(organization_id, on_date).iterator(chunk_size=500):
            with transaction.atomic():
                queued += len(event_message_send(organization=organization, member=member, event=BIRTHDAY,
                                                 source=f"member:{member.pk}:{on_date.year}", now=now))
    if POINTS_EXPIRING in active:
        horizon = on_date + dt.timedelta(days=max(r.days_before for r in EventMessage.objects.filter(
            organization_id=organization_id, is_active=True, event=POINTS_EXPIRING)))
        rows = (Lot.objects.filter(organization_id=organization_id, remaining__gt=0, is_pending=False,
                                   expires_on__gte=on_date, expires_on__lte=horizon)
                .values("account__member_id").annotate(points=Sum("remaining"), first=Min("expires_on")))
        members = {m.pk: m for m in Member.objects.filter(
            organization_id=organization_id, status__in=(Member.Status.ACTIVE, Member.Status.EXPIRED),
            pk__in=[r["account__member_id"] for r in rows])}
        for row in rows:
            member = members.get(row["account__member_id"])
            if member is None:
                continue
            with transaction.atomic():
                queued += len(event_message_send(
                    organization=organization, member=member, event=POINTS_EXPIRING,
                    source=f"member:{member.pk}:{row['first'].isoformat()}",
                    extra={"points": int(row["points"]), "expiry_date": row["first"]}, now=now))
    return queued
