"""The audit trail as a person reads it: the object named by its kind and its name (not a model's
repr such as "RewardSettings object (1)"), each change under the field's label, empty values as
a dash, yes/no for booleans and a choice's label for its code (not "None → 0")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from sasom.core.models import AuditEvent

EMPTY = "—"
_DEFAULT_REPR = re.compile(r"^\w+ object \(\S+\)$")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    what: str
    changes: list[Change]


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def audit_value(value: Any, field: Any = None) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    if field is not None and field.is_relation:
        return f"#{value}"
    return str(value)


def audit_line(event: AuditEvent) -> AuditLine:
    model = _model(event.object_type)
    kind = str(model._meta.verbose_name) if model is not None else event.object_type
    name = "" if _DEFAULT_REPR.match(event.object_repr or "") else event.object_repr
    what = " ".join(p for p in (kind, f"#{event.object_id}" if event.object_id else "", name) if p)
    changes = []
    for key, pair in (event.changes or {}).items():
        field = _field(model, key)
        label = str(getattr(field, "verbose_name", "") or key.replace("_", " "))
        before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        changes.append(Change(label, audit_value(before, field), audit_value(after, field)))
    return AuditLine(what=what, changes=changes)
