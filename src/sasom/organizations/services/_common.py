"""Helpers shared by the organization services."""

from __future__ import annotations

from typing import Any

from sasom.core.audit import Actor, audit_record, diff, snapshot


def clean_code(code: str) -> str:
    return (code or "").strip().upper()


def audit_change(org_id: int, actor: Actor, action: str, obj: Any, before: dict, fields: list[str]) -> None:
    """Audit ``action`` on ``obj`` with the diff of ``fields`` since ``before``; no diff, no event."""
    changes = diff(before, snapshot(obj, fields))
    if changes:
        audit_record(organization_id=org_id, actor=actor, action=action, obj=obj, changes=changes)
