"""Delivery backends: where a message finally goes.

``NOTIFY_BACKEND`` names one of :data:`BACKENDS` (an explicit table, no dynamic class loading):

* ``console``: prints the message on the worker's standard output, the recipient masked but for
  its last four characters (development and the demo: the one-time code shows in the terminal
  that runs ``sasom serve``);
* ``memory``: keeps sent messages in a list in this process (tests, the browser test).

These serve an organization whose channel has no gateway configured. The real gateways (SMTP,
SMS over HTTP, LINE) are chosen per organization and channel (:mod:`sasom.notifications.gateways`);
backends and gateways raise :class:`DeliveryError` when the message did not go out.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone


class DeliveryError(Exception):
    """The message was not delivered. A gateway that is down or busy may be tried again; one that
    refused the message itself (``permanent``: an invalid number, a blocked LINE user, bad
    credentials) is not."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    organization_id: int
    channel: str
    recipient: str
    purpose: str
    body: str
    subject: str = ""


class Backend(Protocol):
    def send(self, outgoing: Outgoing) -> None: ...


def mask(recipient: str, keep: int = 4) -> str:
    """``+66812345678`` → ``********5678``: what logs and screens may show of a recipient."""
    text = recipient or ""
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]


class ConsoleBackend:
    def send(self, outgoing: Outgoing) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        print(f"[{stamp}] {outgoing.channel} to {mask(outgoing.recipient)} ({outgoing.purpose}): {outgoing.body}",
              file=sys.stdout, flush=True)


class MemoryBackend:
    """Sent messages, newest last, shared by every thread of this process."""

    outbox: list[Outgoing] = []
    _lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> None:
        with self._lock:
            MemoryBackend.outbox.append(outgoing)

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.outbox.clear()

    @classmethod
    def to(cls, recipient: str) -> list[Outgoing]:
        with cls._lock:
            return [o for o in cls.outbox if o.recipient == recipient]


BACKENDS: dict[str, type] = {"console": ConsoleBackend, "memory": MemoryBackend}


def backend() -> Backend:
    name = getattr(settings, "NOTIFY_BACKEND", "console")
    try:
        return BACKENDS[name]()
    except KeyError:
        raise DeliveryError(f"unknown NOTIFY_BACKEND {name!r}") from None
