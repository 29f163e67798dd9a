"""API authentication: terminal keys (optionally HMAC-signed) or a back-office staff session.

Keys are looked up by their public prefix and cached in-process for ``KEY_CACHE_SECONDS`` so the
hot path (a POS posting a sale) makes no key query; revoking a key clears this process's cache at
once and every other process's within that TTL. A terminal's key is cached with its terminal,
branch and organization (``Principal.place``), so a sale needs no query for them either; saving
an organization, branch or terminal clears this process's cache (others follow within the TTL).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from ninja.security import HttpBearer

from sasom.core.errors import DomainError
from sasom.core.permissions import staff_has
from sasom.core.shopcontext import shop_activate, shop_context_of
from sasom.integrations.errors import (  # noqa: F401  (codes live in errors.py)
    E_NONCE_REUSED,
    E_RATE_LIMITED,
    E_SIGNATURE_EXPIRED,
    E_SIGNATURE_INVALID,
    E_SIGNATURE_REQUIRED,
)
from sasom.integrations.models import ApiKey, RequestNonce
from sasom.organizations.models import Branch, Organization, Terminal

KEY_CACHE_SECONDS = 30
SIGNATURE_TOLERANCE_SECONDS = 300



@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling the API. ``id``/``label`` let ``core.audit.Actor`` name an API key."""

    organization_id: int
    id: int | None
    label: str
    branch_id: int | None
    terminal_id: int | None
    can_manage: bool
    require_signature: bool
    rate_limit_per_minute: int
    secret_hash: str = ""
    staff: Any = None
    # (organization, branch, terminal) of a terminal's key, loaded with the key; read-only.
    place: tuple[Any, Any, Any] | None = None
    shop: Any = None  # the organization's context (zone, calendar, currency), loaded with the key (``core.shopcontext``)

    @property
    def is_key(self) -> bool:
        return self.staff is None

    @property
    def scope(self) -> str:
        return f"key:{self.id}" if self.is_key else f"user:{self.staff.user_id}"


_cache: dict[str, tuple[float, Principal | None]] = {}
_cache_lock = threading.Lock()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def signing_secret(secret_hash: str) -> str:
    """The HMAC key a client signs with; derived, never stored (shown once at key creation)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"sign:{secret_hash}".encode(), hashlib.sha256).hexdigest()


def new_key_material() -> tuple[str, str, str]:
    """(prefix, secret, full key). The alphabet avoids look-alike characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"sk_{prefix}_{secret}"


def forget_cached_key(prefix: str | None = None) -> None:
    """Drop one key (``prefix``) or, without it, every key from this process's cache."""
    with _cache_lock:
        if prefix is None:
            _cache.clear()
        else:
            _cache.pop(prefix, None)


def _forget_places(sender: Any, **kwargs: Any) -> None:
    forget_cached_key()


def connect_place_signals() -> None:
    """Clear the key cache when an organization, branch or terminal is saved or deleted (called
    from ``IntegrationsConfig.ready``): a cache, not business logic, so a signal is the right hook."""
    for model in (Organization, Branch, Terminal):
        post_save.connect(_forget_places, sender=model, dispatch_uid=f"sasom-key-cache-{model.__name__}")
        post_delete.connect(_forget_places, sender=model, dispatch_uid=f"sasom-key-cache-del-{model.__name__}")


def _load(prefix: str) -> Principal | None:
    now = time.monotonic()
    hit = _cache.get(prefix)
    if hit is not None and hit[0] > now:
        return hit[1]
    key = (
        ApiKey.objects.filter(prefix=prefix, is_active=True)
        .select_related("organization", "terminal__branch", "terminal__organization")
        .first()
    )
    principal = None
    if key is not None:
        terminal = key.terminal
        principal = Principal(
            organization_id=key.organization_id, id=key.pk, label=key.label, branch_id=key.branch_id,
            terminal_id=key.terminal_id, can_manage=key.can_manage, require_signature=key.require_signature,
            rate_limit_per_minute=key.rate_limit_per_minute, secret_hash=key.secret_hash,
            place=(terminal.organization, terminal.branch, terminal) if terminal is not None else None,
            shop=shop_context_of(key.organization),
        )
    with _cache_lock:
        _cache[prefix] = (now + KEY_CACHE_SECONDS, principal)
    return principal


def principal_for_key(raw: str) -> Principal | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sk" or not parts[1] or not parts[2]:
        return None
    principal = _load(parts[1])
    if principal is None:
        return None
    if not hmac.compare_digest(principal.secret_hash, hash_secret(parts[2])):
        return None
    return principal


def _canonical(request: HttpRequest, timestamp: str, nonce: str) -> bytes:
    body_hash = hashlib.sha256(request.body or b"").hexdigest()
    return "\n".join([request.method or "", request.get_full_path(), timestamp, nonce, body_hash]).encode()


def verify_signature(request: HttpRequest, principal: Principal) -> None:
    """Check ``X-Sasom-Signature`` = hex HMAC-SHA256 over method, path, timestamp, nonce, body hash."""
    signature = request.headers.get("X-Sasom-Signature", "")
    timestamp = request.headers.get("X-Sasom-Timestamp", "")
    nonce = request.headers.get("X-Sasom-Nonce", "")
    if not signature:
        if principal.require_signature:
            raise DomainError(E_SIGNATURE_REQUIRED, "This key must sign its requests.", status=401)
        return
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        raise DomainError(E_SIGNATURE_INVALID, "X-Sasom-Timestamp must be Unix seconds.", status=401) from None
    if skew > SIGNATURE_TOLERANCE_SECONDS:
        raise DomainError(E_SIGNATURE_EXPIRED, "Request timestamp is more than 300 s away.", status=401)
    if not (8 <= len(nonce) <= 64):
        raise DomainError(E_SIGNATURE_INVALID, "X-Sasom-Nonce must be 8-64 characters.", status=401)
    expected = hmac.new(
        signing_secret(principal.secret_hash).encode(), _canonical(request, timestamp, nonce), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise DomainError(E_SIGNATURE_INVALID, "The request signature does not match.", status=401)
    if principal.id is None:  # only a key's principal (from principal_for_key) is verified
        raise DomainError(E_SIGNATURE_INVALID, "Only an API key signs its requests.", status=401)
    try:
        with transaction.atomic():
            RequestNonce.objects.create(
                organization_id=principal.organization_id, api_key_id=principal.id, nonce=nonce
            )
    except IntegrityError:
        raise DomainError(E_NONCE_REUSED, "This nonce was already used.", status=401) from None


def _session_principal(request: HttpRequest) -> Principal | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    staff = getattr(user, "staff", None)
    if staff is None or not staff.is_active:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        # process_view never calls get_response, so a stub that returns None is enough.
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})  # type: ignore[arg-type]
        if reason is not None:
            return None
    return Principal(
        organization_id=staff.organization_id, id=None, label=user.get_username(), branch_id=None,
        terminal_id=None, can_manage=True, require_signature=False, rate_limit_per_minute=6000, staff=staff,
    )


class ApiAuth(HttpBearer):
    """``Authorization: Bearer sk_...`` (or ``X-Api-Key``), else a staff session."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        already = getattr(request, "principal", None)
        if already is not None:
            return already
        raw = request.headers.get("X-Api-Key", "")
        authz = request.headers.get("Authorization", "")
        if not raw and authz.lower().startswith("bearer "):
            raw = authz[7:]
        if raw:
            principal = principal_for_key(raw)
            if principal is None:
                return None
            verify_signature(request, principal)
            check_rate(principal)
        else:
            principal = _session_principal(request)
            if principal is None:
                return None
        # Additions to HttpRequest (read by core.audit and by a second call here); Django does not declare them.
        request.api_key = principal if principal.is_key else None  # type: ignore[attr-defined]
        request.principal = principal  # type: ignore[attr-defined]
        if principal.is_key:  # a staff session's organization is active already (core.shopcontext)
            shop_activate(principal.shop)
        return principal

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return None


# What an API key may do. A POS or ERP key works the counter; configuration needs ``can_manage``.
KEY_GRANTS = frozenset({
    "members.view", "members.create", "members.edit", "points.view", "points.earn", "points.void",
    "rewards.view", "rewards.redeem", "rewards.cancel", "coupons.use", "batches.manage",
    "catalog.view", "member_types.view",  # a POS reads the member types, their benefits and prices
})
MANAGE_GRANTS = frozenset({
    "member_types.view", "member_types.manage", "rules.view", "rules.manage", "rewards.manage", "coupons.manage",
    "catalog.manage", "points.settings", "jobs.manage", "promotions.view", "promotions.manage",
    "reports.view",  # the report builder's API (reports/api.py): figures for an ERP or a BI tool
})


def api_principal(request: HttpRequest) -> Principal:
    """The authenticated caller: django-ninja sets ``request.auth`` to what ``ApiAuth`` returned."""
    # django-ninja adds request.auth at run time; HttpRequest does not declare it.
    principal: Principal = request.auth  # type: ignore[attr-defined]
    return principal


def api_require(request: HttpRequest, permission: str) -> Principal:
    """The caller, if it holds ``permission``; otherwise 403 ``forbidden``."""
    principal = api_principal(request)
    if principal.is_key:
        allowed = permission in KEY_GRANTS or (principal.can_manage and permission in MANAGE_GRANTS)
    else:
        allowed = staff_has(principal.staff, permission)
    if not allowed:
        raise DomainError("forbidden", f"This caller may not use {permission}.", status=403)
    return principal


# Rate limiting: a token bucket per key in this worker process. With W worker processes the
# effective limit is up to W times the key's setting; docs/api.md says so.
_buckets: dict[int, tuple[float, float]] = {}
_bucket_lock = threading.Lock()


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(E_RATE_LIMITED, "Too many requests for this key; retry later.")
        self.retry_after = retry_after


def check_rate(principal: Principal) -> None:
    if principal.id is None or principal.rate_limit_per_minute <= 0:
        return
    rate = principal.rate_limit_per_minute / 60.0
    capacity = float(principal.rate_limit_per_minute)
    now = time.monotonic()
    with _bucket_lock:
        tokens, last = _buckets.get(principal.id, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens < 1.0:
            _buckets[principal.id] = (tokens, now)
            raise RateLimited(retry_after=max(1, int((1.0 - tokens) / rate + 0.999)))
        _buckets[principal.id] = (tokens - 1.0, now)


api_auth = ApiAuth()
