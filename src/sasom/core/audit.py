"""The audit trail: services call :func:`audit_record` for every change to members and
configuration. Personal data is recorded by field name only when ``redact`` says so (PDPA)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from sasom.core.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user, an API key, or the system (a scheduled job)."""

    kind: str
    label: str
    user_id: int | None = None
    api_key_id: int | None = None
    ip: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=AuditEvent.ActorKind.SYSTEM, label=label)

    @classmethod
    def for_user(cls, user: Any, ip: str | None = None) -> Actor:
        return cls(kind=AuditEvent.ActorKind.USER, label=user.get_username(), user_id=user.pk, ip=ip)

    @classmethod
    def for_api_key(cls, key_id: int, label: str, ip: str | None = None) -> Actor:
        return cls(kind=AuditEvent.ActorKind.API_KEY, label=label, api_key_id=key_id, ip=ip)

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        ip = client_ip(request)
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            return cls.for_api_key(api_key.id, api_key.label, ip)
        return cls.for_user(request.user, ip)


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values of ``instance`` as JSON-ready plain values (FKs as ids)."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field that changed."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def audit_record(
    *,
    organization_id: int,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
    redact: frozenset[str] = frozenset(),
) -> AuditEvent:
    """Append one audit event. Fields named in ``redact`` keep their name but not their value."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    safe_changes = {
        k: (["(changed)", "(changed)"] if k in redact else v) for k, v in (changes or {}).items()
    }
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
        ip=actor.ip,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=safe_changes,
        reason=reason,
    )
