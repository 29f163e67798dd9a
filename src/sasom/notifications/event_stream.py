"""The stream events members get a message on: each handler finds the member, builds the
event's figures and calls the sender (``event_messages.event_message_send``, handed in by
:func:`stream_subscribe` so this module does not import it back). Each message's source makes a
replayed event send nothing twice (``event_key`` is unique per channel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from sasom.core import events as stream
from sasom.core.currency import currency_of, unit_label
from sasom.core.dates import zone_of
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.tiers.models import Tier

from .events import COUPON_ISSUED, COUPON_USED, PURCHASE, REDEMPTION, REGISTRATION, TIER_CHANGED

Send = Callable[..., Any]


def _member(organization_id: int, code: str | None) -> tuple[Organization, Member] | None:
    if not code:
        return None
    member = Member.objects.select_related("organization").filter(organization_id=organization_id, code=code).first()
    return (member.organization, member) if member is not None else None


def _stale(event: stream.Event) -> bool:
    """An event that happened long before it was recorded (a day-end batch, a back-posted
    receipt): members are not told about it now (``NOTIFY_EVENT_MAX_AGE_HOURS``)."""
    hours = settings.NOTIFY_EVENT_MAX_AGE_HOURS
    return hours is not None and event.recorded_at - event.occurred_at > dt.timedelta(hours=hours)


def _tier_name(organization_id: int, code: str | None) -> str:
    if not code:
        return ""
    name = Tier.objects.filter(organization_id=organization_id, code=code).values_list("name", flat=True).first()
    return name or code


def stream_subscribe(send: Send, active: Callable[[int], frozenset[str]]) -> None:
    """Subscribe the handlers; ``active(organization_id)`` names the events switched on."""

    def wants(event_type: str) -> stream.Wants:
        return lambda organization_id: event_type in active(organization_id)

    def on_member_created(event: stream.Event) -> None:
        found = _member(event.organization_id, event.payload.get("member"))
        if found is not None:
            send(organization=found[0], member=found[1], event=REGISTRATION, source=f"member:{found[1].pk}",
                 balance=0)

    def on_points(event_type: str, wanted_kinds: frozenset[str]) -> stream.Handler:
        def handle(event: stream.Event) -> None:
            payload = event.payload
            if payload.get("kind") not in wanted_kinds or _stale(event):
                return
            found = _member(event.organization_id, payload.get("member"))
            if found is None:
                return
            balance = (payload.get("balance") or {}).get("spendable")
            send(organization=found[0], member=found[1], event=event_type, source=f"entry:{payload.get('entry_id')}",
                 extra={"points": abs(int(payload.get("points") or 0))},
                 balance=int(balance) if balance is not None else None)

        return handle

    def on_tier_changed(event: stream.Event) -> None:
        payload = event.payload
        to = payload.get("to")
        if not to or _stale(event):
            return  # a member who left every tier gets no "your tier is now" message
        found = _member(event.organization_id, payload.get("member"))
        if found is None:
            return
        send(organization=found[0], member=found[1], event=TIER_CHANGED,
             source=f"tier:{found[1].pk}:{payload.get('effective_on')}:{to}",
             extra={"tier": _tier_name(event.organization_id, to),
                    "previous_tier": _tier_name(event.organization_id, payload.get("from")) or "-"})

    def on_coupon(event_type: str) -> stream.Handler:
        def handle(event: stream.Event) -> None:
            payload = event.payload
            if _stale(event):
                return
            found = _member(event.organization_id, payload.get("member"))
            if found is None:
                return
            extra: dict[str, Any] = {"coupon": payload.get("coupon", ""), "coupon_name": payload.get("name", "")}
            if event_type == COUPON_ISSUED:
                expires = dt.datetime.fromisoformat(str(payload["expires_at"]))
                # the last day it can be used, as the portal and the slip say (expires_at is exclusive)
                last = expires - dt.timedelta(microseconds=1)
                extra["expiry_date"] = last.astimezone(zone_of(found[0])).date()
            else:
                # the money in the shop's display unit (toman for a toman shop) and that unit's
                # name, both in the message's language (``event_messages.member_values_extra``)
                used = payload.get("used_amount")
                extra["amount"] = Decimal(str(used)) if used not in (None, "") else ""
                extra["currency"] = unit_label(currency_of(found[0]))
            send(organization=found[0], member=found[1], event=event_type,
                 source=f"coupon:{payload.get('coupon_id')}", extra=extra)

        return handle

    stream.subscribe(stream.MEMBER_CREATED, on_member_created, wants=wants(REGISTRATION))
    stream.subscribe(stream.POINTS_EARNED, on_points(PURCHASE, frozenset({"earn"})), wants=wants(PURCHASE))
    stream.subscribe(stream.POINTS_REDEEMED, on_points(REDEMPTION, frozenset({"redeem", "purchase"})),
                     wants=wants(REDEMPTION))
    stream.subscribe(stream.MEMBER_TIER_CHANGED, on_tier_changed, wants=wants(TIER_CHANGED))
    stream.subscribe(stream.COUPON_ISSUED, on_coupon(COUPON_ISSUED), wants=wants(COUPON_ISSUED))
    stream.subscribe(stream.COUPON_USED, on_coupon(COUPON_USED), wants=wants(COUPON_USED))
