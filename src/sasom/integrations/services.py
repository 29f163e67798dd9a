"""Integration configuration: API keys."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.integrations.auth import forget_cached_key, hash_secret, new_key_material, signing_secret
from sasom.integrations.batch import DOCUMENT_TYPES
from sasom.integrations.errors import (  # noqa: F401  (codes live in errors.py)
    E_BATCH_FORMAT,
    E_BATCH_PLANS,
    E_BATCH_STATE,
    E_BATCH_TOO_LARGE,
    E_TERMINAL_BRANCH,
)
from sasom.integrations.models import ApiKey, SaleBatch, WebhookEndpoint
from sasom.integrations.tasks import batch_calculate_task, batch_file_path, batch_stage_task
from sasom.integrations.webhooks import EVENT_TYPES, forget_endpoints
from sasom.organizations.models import Branch, Terminal


@dataclass(frozen=True)
class IssuedKey:
    """What the admin sees once: the key and its signing secret are not stored anywhere."""

    api_key: ApiKey
    key: str
    signing_secret: str


@transaction.atomic
def api_key_create(
    *,
    organization_id: int,
    label: str,
    actor: Actor,
    branch: Branch | None = None,
    terminal: Terminal | None = None,
    can_manage: bool = False,
    require_signature: bool = False,
    rate_limit_per_minute: int = 600,
) -> IssuedKey:
    if terminal is not None:
        if branch is None:
            branch = terminal.branch
        if terminal.branch_id != branch.id:
            raise DomainError(E_TERMINAL_BRANCH, "The terminal belongs to another branch.", field="terminal")
    for obj in (branch, terminal):
        if obj is not None and obj.organization_id != organization_id:
            raise DomainError("not_found", "Unknown branch or terminal.", field="branch", status=404)
    prefix, secret, full = new_key_material()
    secret_hash = hash_secret(secret)
    key = ApiKey.objects.create(
        organization_id=organization_id,
        label=label,
        prefix=prefix,
        secret_hash=secret_hash,
        branch=branch,
        terminal=terminal,
        can_manage=can_manage,
        require_signature=require_signature,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor.label,
    )
    audit_record(
        organization_id=organization_id, actor=actor, action="api_key.create", obj=key,
        changes={"label": [None, label], "branch": [None, branch.code if branch else None],
                 "can_manage": [None, can_manage]},
    )
    return IssuedKey(api_key=key, key=full, signing_secret=signing_secret(secret_hash))


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    if not api_key.is_active:
        return api_key
    api_key.is_active = False
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["is_active", "revoked_at"])
    audit_record(organization_id=api_key.organization_id, actor=actor, action="api_key.revoke", obj=api_key)
    transaction.on_commit(lambda: forget_cached_key(api_key.prefix))
    return api_key


@transaction.atomic
def webhook_endpoint_create(
    *, organization_id: int, url: str, events: list[str], description: str = "", actor: Actor
) -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise DomainError("unknown_event", f"Unknown event types: {', '.join(unknown)}", field="events")
    if not url.startswith(("https://", "http://")):
        raise DomainError("invalid_url", "The URL must start with https:// or http://", field="url")
    endpoint = WebhookEndpoint.objects.create(
        organization_id=organization_id, url=url, events=sorted(events), description=description,
        secret=secrets.token_hex(24),
    )
    audit_record(organization_id=organization_id, actor=actor, action="webhook.create", obj=endpoint,
                 changes={"url": [None, url], "events": [None, sorted(events)]})
    transaction.on_commit(lambda: forget_endpoints(organization_id))
    return endpoint


@transaction.atomic
def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    audit_record(organization_id=endpoint.organization_id, actor=actor, action="webhook.deactivate", obj=endpoint)
    org_id = endpoint.organization_id
    transaction.on_commit(lambda: forget_endpoints(org_id))
    return endpoint




@transaction.atomic
def batch_upload(
    *,
    organization_id: int,
    business_on: Any,
    fmt: str,
    uploaded: Any,
    actor: Actor,
    plans: dict[str, str] | None = None,
    calculate: bool = True,
) -> SaleBatch:
    """Keep the uploaded file and queue its reading (and, if asked, the points calculation).

    The file is copied in chunks, never read whole into memory; above ``SASOM_BATCH_MAX_BYTES`` it
    is refused and nothing is kept.
    """
    if fmt not in SaleBatch.Format.values:
        raise DomainError(E_BATCH_FORMAT, "The format must be csv or jsonl.", field="format")
    limit = settings.SASOM_BATCH_MAX_BYTES
    if getattr(uploaded, "size", 0) and uploaded.size > limit:
        raise DomainError(E_BATCH_TOO_LARGE, f"The file is larger than {limit // (1024 * 1024)} MB.", field="file")
    batch = SaleBatch.objects.create(
        organization_id=organization_id, business_on=business_on, file_name=(uploaded.name or "upload")[:200],
        format=fmt, plans=plans or {}, created_by=actor.label,
    )
    path = batch_file_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with path.open("wb") as out:
            for chunk in uploaded.chunks():
                written += len(chunk)
                if written > limit:
                    raise DomainError(E_BATCH_TOO_LARGE, f"The file is larger than {limit // (1024 * 1024)} MB.", field="file")
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    audit_record(organization_id=organization_id, actor=actor, action="batch.upload", obj=batch,
                 changes={"file": [None, batch.file_name], "business_on": [None, str(business_on)], "bytes": [None, written]})
    pk, label = batch.pk, actor.label
    transaction.on_commit(lambda: batch_stage_task.enqueue(pk, calculate, label))
    return batch




def batch_plans_parse(text: str) -> dict[str, str]:
    """``document_type=plan`` pairs, one per line or comma-separated (or a JSON object), checked
    against the known document types: which promotion plan each type of document earns under."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            raw = json.loads(text)
        except ValueError:
            raise DomainError(E_BATCH_PLANS, "Plans must be a JSON object or document_type=plan pairs.", field="plans") from None
        pairs: list[tuple[Any, ...]] | None = list(raw.items()) if isinstance(raw, dict) else None
    else:
        pairs = [tuple(p.split("=", 1)) for p in text.replace(",", "\n").splitlines() if p.strip()]
    if pairs is None or any(len(p) != 2 for p in pairs):
        raise DomainError(E_BATCH_PLANS, "Plans must be document_type=plan pairs.", field="plans")
    plans = {}
    for doc_type, plan in pairs:
        doc_type, plan = str(doc_type).strip(), str(plan).strip()
        if doc_type not in DOCUMENT_TYPES:
            raise DomainError(E_BATCH_PLANS, f"Unknown document type '{doc_type}'.", field="plans")
        if not plan or len(plan) > 40:
            raise DomainError(E_BATCH_PLANS, f"The plan for {doc_type} must be 1-40 characters.", field="plans")
        plans[doc_type] = plan
    return plans


def batch_calculate_start(*, batch: SaleBatch, actor: Actor) -> SaleBatch:
    """Queue the points calculation of a read batch (again, after a crash: it resumes)."""
    if batch.status not in (SaleBatch.Status.PARSED, SaleBatch.Status.CALCULATING):
        raise DomainError(E_BATCH_STATE, f"The batch is {batch.get_status_display().lower()}; it cannot be calculated now.")
    audit_record(organization_id=batch.organization_id, actor=actor, action="batch.calculate", obj=batch)
    pk, label = batch.pk, actor.label
    transaction.on_commit(lambda: batch_calculate_task.enqueue(pk, label))
    return batch
