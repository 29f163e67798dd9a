"""Messages on events: the shop's switches and templates per event and channel, and sending them.

Stream events (registration, purchase, points used, tier changed, coupon issued and used) arrive
through the subscriber this app registers (:func:`events_subscribe`), inside the transaction that
recorded them: a sale that rolls back sends nothing. Date-based ones (birthday, points and
membership expiring, anniversaries, a custom date) come from the daily job, an idempotent service
per organization and day (``event_messages_daily.event_messages_daily_run``).
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
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.currency import currency_of, format_amount, shop_money, unit_label
from sasom.core.errors import DomainError
from sasom.ledger.models import PointAccount
from sasom.members.models import CustomField, Member
from sasom.organizations.models import Organization

from .errors import E_CHANNEL, E_EVENT, E_TEMPLATE
from .event_stream import stream_subscribe
from .events import EVENTS, EventSpec
from .message_language import MESSAGE_LANGUAGES, text_choose, texts_of
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
    body_fa: str = "", subject_th: str = "", subject_en: str = "", subject_fa: str = "", days_before: int = 30,
    date_field: str = "", actor: Actor,
) -> EventMessage:
    spec = EVENTS.get(event)
    if spec is None or not spec.wired:
        raise DomainError(E_EVENT, _("Unknown event."), field="event")
    if channel not in Channel.values:
        raise DomainError(E_CHANNEL, _("Unknown channel."), field="channel")
    given = {"body_th": body_th, "body_en": body_en, "body_fa": body_fa, "subject_th": subject_th,
             "subject_en": subject_en, "subject_fa": subject_fa}
    texts = {name: (text or "").strip() for name, text in given.items()}
    for name, text in texts.items():
        if len(text) > (MAX_BODY if name.startswith("body") else 200):
            raise DomainError(E_TEMPLATE, _("This text is too long."), field=name)
        template_check(text, spec.placeholders, field=name)
    if is_active and not any(texts[f"body_{language}"] for language in MESSAGE_LANGUAGES):
        raise DomainError(E_TEMPLATE, _("Write the text in at least one language before switching it on."),
                          field="body_th")
    if not 1 <= int(days_before) <= MAX_DAYS_BEFORE:
        raise DomainError(E_TEMPLATE, _("Days before: from 1 to 365."), field="days_before")
    date_field = (date_field or "").strip() if spec.date_field else ""
    if date_field and not CustomField.objects.filter(organization_id=organization_id, key=date_field,
                                                     kind=CustomField.Kind.DATE).exists():
        raise DomainError(E_TEMPLATE, _("Choose one of the organization's date fields."), field="date_field")
    if is_active and spec.date_field and not date_field:
        raise DomainError(E_TEMPLATE, _("Choose the date field before switching it on."), field="date_field")
    row, created = EventMessage.objects.select_for_update().get_or_create(
        organization_id=organization_id, event=event, channel=channel)
    before = {"is_active": row.is_active, **{k: getattr(row, k) for k in texts}, "days_before": row.days_before,
              "date_field": row.date_field}
    row.is_active = is_active
    row.days_before = int(days_before)
    row.date_field = date_field
    for name, text in texts.items():
        setattr(row, name, text)
    row.save()
    after = {"is_active": is_active, **texts, "days_before": row.days_before, "date_field": date_field}
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
    template_check(body, spec.placeholders, field=f"body_{language}" if language in MESSAGE_LANGUAGES else "body_th")
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
    """``extra``'s values as the message's reader reads them: dates in the shop's calendar, counts
    grouped, money (a ``Decimal``) in the shop's display unit, and texts to translate (the unit's
    name) in ``language``."""
    out = {}
    for key, value in extra.items():
        if isinstance(value, dt.date):
            value = date_text(value, language=language, organization=organization)
        elif isinstance(value, Decimal):
            value = shop_money(value, organization, language=language)
        elif isinstance(value, int):
            value = f"{value:,}"
        elif isinstance(value, Promise):
            with translation.override(language):
                value = str(value)
        out[key] = str(value)
    return out


def _amount_off_text(amount: str, unit: Any) -> str:
    return _("%(amount)s %(unit)s off") % {"amount": amount, "unit": str(unit)}


# A sample coupon's name in the shop's money (``50.00 THB off``, ``50,000 toman off``), written in
# the message's language when the sample is filled in.
_amount_off = lazy(_amount_off_text, str)


def _sample_extra(organization: Organization, spec: EventSpec) -> dict[str, Any]:
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(organization.time_zone or "Asia/Bangkok"))
    extra: dict[str, Any] = {}
    if "points" in spec.placeholders:
        extra["points"] = 120
    if "expiry_date" in spec.placeholders:
        extra["expiry_date"] = today + dt.timedelta(days=30)
    if "tier" in spec.placeholders:
        extra["tier"] = "Gold"
        extra["previous_tier"] = "Silver"
    if "coupon" in spec.placeholders:
        currency = currency_of(organization)
        off = format_amount(Decimal("500000") if currency.places == 0 else Decimal("50"), currency)
        extra.update(coupon="C7K2M9Q4", coupon_name=_amount_off(off, unit_label(currency)))
    if "amount" in spec.placeholders:
        currency = currency_of(organization)
        extra["amount"] = Decimal("500000") if currency.places == 0 else Decimal("50")
        extra["currency"] = unit_label(currency)
    if "years" in spec.placeholders:
        extra["years"] = 3
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
    values: dict[str, dict[str, str]] = {}  # per language of the text chosen
    sent = []
    for row in rows:
        language, body = text_choose(organization, member, texts_of(row))
        if not body:
            continue
        subject = str(getattr(row, f"subject_{language}"))
        if language not in values:
            values[language] = member_values(organization, member, language=language, extra=extra, balance=balance)
        message = member_message_send(
            organization=organization, member=member, channel=row.channel, kind=spec.kind, purpose=event,
            subject=template_render(subject, values[language]), body=template_render(body, values[language]),
            event_key=f"{event}:{source}", may_wait=spec.date_based, now=now)
        if message is not None:
            sent.append(message)
    return sent


def events_subscribe() -> None:
    """Called once from the app's ``ready()`` (the handlers live in :mod:`.event_stream`)."""
    stream_subscribe(event_message_send, events_active)
