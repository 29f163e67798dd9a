"""Idempotent API writes.

A write (POST/PUT/PATCH/DELETE under /api/v1/) that carries an ``Idempotency-Key`` header runs at
most once per caller and key:

* the first request inserts an *in-flight* record (committed at once), then runs in one database
  transaction that also stores its answer, so the business write and the stored answer commit
  together or not at all;
* a replay with the same body gets the stored status and body back, byte for byte, with
  ``Idempotent-Replayed: true``; a replay with another body (compared as parsed JSON, keys sorted)
  gets 409 ``idempotency_mismatch``;
* a replay that arrives while the first is still running waits for it (up to
  ``IN_FLIGHT_WAIT_SECONDS``) and then answers as above, or 409 ``idempotency_in_flight``;
* a 5xx answer is not stored (the record is dropped) so the client may retry; 4xx answers are
  stored, like Stripe does, because the same input would be refused again.

Records are kept for ``RETENTION_HOURS`` (at least 24 h, as promised to integrators).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from sasom.core.errors import DomainError
from sasom.integrations.auth import RateLimited, api_auth
from sasom.integrations.errors import E_BAD_KEY, E_IN_FLIGHT, E_MISMATCH  # noqa: F401  (codes live in errors.py)
from sasom.integrations.models import IdempotencyRecord

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/v1/"
IN_FLIGHT_WAIT_SECONDS = 15.0
STALE_AFTER_SECONDS = 120
RETENTION_HOURS = 48

# Answers given before the operation ran (no such method on the path, input not matching the
# schema, rate limited): not remembered, so the caller may correct the request and retry with the
# same key (as Stripe does). Server errors are not remembered either.
NOT_STARTED = frozenset({405, 422, 429})



def error_response(exc: DomainError) -> JsonResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


class _Unstored(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def canonical_body(raw: bytes) -> bytes:
    """A JSON body as its parsed value, keys sorted and without spacing: a retry from another
    serializer (other key order, other spaces, ``1.50`` kept as written) is the same request.
    Anything that is not JSON is compared as sent."""
    try:
        value = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, UnicodeDecodeError):
        return raw
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not (1 <= len(key) <= 255) or not key.isprintable():
            return error_response(DomainError(E_BAD_KEY, "Idempotency-Key must be 1-255 printable characters.", field="Idempotency-Key"))
        try:
            principal = api_auth(request)
        except DomainError as exc:
            return error_response(exc)
        if principal is None:
            return self.get_response(request)  # the API answers 401 itself
        request_hash = hashlib.sha256(
            b"\n".join([request.method.encode(), request.path.encode(), canonical_body(request.body or b"")])
        ).hexdigest()
        return self._run_once(request, request.method, principal.organization_id, principal.scope, key, request_hash)

    def _run_once(
        self, request: HttpRequest, method: str, org_id: int, scope: str, key: str, request_hash: str
    ) -> HttpResponse:
        deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
        while True:
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        organization_id=org_id, scope=scope, key=key, method=method,
                        path=request.path[:300], request_hash=request_hash,
                    )
                break
            except IntegrityError:
                existing = IdempotencyRecord.objects.filter(
                    organization_id=org_id, scope=scope, method=method, path=request.path[:300], key=key
                ).first()
                if existing is None:
                    continue  # the first attempt failed and dropped its record: run now
                if existing.request_hash != request_hash:
                    return error_response(DomainError(
                        E_MISMATCH, "This Idempotency-Key was used with a different request.",
                        field="Idempotency-Key", status=409,
                    ))
                if existing.state == IdempotencyRecord.State.DONE:
                    return _replay(existing)
                if (timezone.now() - existing.created_at).total_seconds() > STALE_AFTER_SECONDS:
                    IdempotencyRecord.objects.filter(pk=existing.pk, state=IdempotencyRecord.State.IN_FLIGHT).delete()
                    continue
                if time.monotonic() > deadline:
                    busy = error_response(DomainError(
                        E_IN_FLIGHT, "A request with this Idempotency-Key is still running.", status=409
                    ))
                    busy["Retry-After"] = "1"
                    return busy
                time.sleep(0.05)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if (response.status_code >= 500 or response.status_code in NOT_STARTED
                        or getattr(response, "streaming", False)):
                    raise _Unstored(response)
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    state=IdempotencyRecord.State.DONE,
                    status_code=response.status_code,
                    response_body=bytes(response.content),
                )
            return response
        except _Unstored as unstored:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return unstored.response
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise


def _replay(record: IdempotencyRecord) -> HttpResponse:
    body = bytes(record.response_body or b"")
    response = HttpResponse(body, status=record.status_code, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_prune(*, now: dt.datetime | None = None) -> int:
    """Delete records older than the retention window; returns how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


