"""What every gateway is: its options (stored as they are), its secrets (stored sealed) and ``send``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.functional import Promise

from sasom.notifications.backends import DeliveryError, Outgoing

TEXT, URL, INT, BOOL, CHOICE, SECRET, EMAIL, JSON = "text", "url", "int", "bool", "choice", "secret", "email", "json"
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Option:
    """One setting of a gateway. ``kind`` SECRET is sealed at rest and never shown again."""

    name: str
    label: str | Promise
    kind: str = TEXT
    required: bool = True
    default: Any = ""
    choices: tuple[tuple[str, str | Promise], ...] = ()
    help: str | Promise = ""
    max_length: int = 200


@dataclass(frozen=True)
class Settings:
    """A configured gateway as ``send`` gets it: options and the unsealed secrets."""

    options: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        if name in self.secrets:
            return self.secrets[name]
        return self.options.get(name, "")


@dataclass(frozen=True)
class Delivery:
    """What a gateway answered: its reference for the message, and the parts it billed (SMS)."""

    provider_ref: str = ""
    segments: int | None = None


class Gateway:
    key: ClassVar[str]
    label: ClassVar[str | Promise]
    channel: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()

    def send(self, outgoing: Outgoing, settings: Settings) -> Delivery:
        raise NotImplementedError

    @classmethod
    def secret_names(cls) -> list[str]:
        return [o.name for o in cls.options if o.kind == SECRET]


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            return None


def http_post(url: str, *, data: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> HttpAnswer:
    """POST ``data``; answers 2xx, raises :class:`DeliveryError` otherwise: 408, 429 and 5xx and
    an unreachable gateway may be tried again, other 4xx answers are permanent."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only: validated)
            return HttpAnswer(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        body = error.read()[:300].decode("utf-8", "replace")
        retry = error.code in (408, 425, 429) or error.code >= 500
        raise DeliveryError(f"HTTP {error.code}: {body}", permanent=not retry) from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"gateway unreachable: {error}") from None


def msisdn(e164: str, style: str) -> str:
    """A phone number as a gateway wants it: ``e164`` (+66812345678), ``digits`` (66812345678) or
    ``local`` (0812345678 for Thai numbers, digits otherwise)."""
    digits = e164.lstrip("+")
    if style == "e164":
        return e164 if e164.startswith("+") else "+" + digits
    if style == "local" and digits.startswith("66"):
        return "0" + digits[2:]
    return digits
