"""The JSON API: one NinjaAPI, a router per domain app, errors as ``{"code","message","field"}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from sasom import __version__
from sasom.catalog.api import router as catalog_router
from sasom.catalog.api_prices import router as prices_router
from sasom.checkout.api import router as checkout_router
from sasom.core.api import router as jobs_router
from sasom.core.errors import DomainError
from sasom.earning.api import router as earning_router
from sasom.integrations.api import router as integration_router
from sasom.ledger.api import router as ledger_router
from sasom.ledger.api_tiers import router as tiers_router
from sasom.members.api import router as members_router
from sasom.promotions.api import router as promotions_router
from sasom.reports.api import router as reports_router
from sasom.rewards.api import router as rewards_router

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "machine-readable error code"},
        "message": {"type": "string"},
        "field": {"type": ["string", "null"], "description": "the input field at fault, if any"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["code", "message"],
}
COMMON_ERRORS = {
    "400": "Refused by a business rule (see `code`)",
    "401": "Missing or invalid API key or signature",
    "403": "This key or role may not do this",
    "404": "Not found (or not yours)",
    "409": "Conflict: duplicate, or Idempotency-Key reused with another body",
    "422": "The input does not match the schema",
    "429": "Rate limited; see Retry-After",
}


class SasomAPI(NinjaAPI):
    """Adds the error answers every operation can give, and the Idempotency-Key header, to the
    OpenAPI schema, so integrators and schema-driven tests see the whole contract."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, description in COMMON_ERRORS.items():
                    operation["responses"].setdefault(status, {"description": description, **ref})
                if method in ("post", "put", "patch", "delete"):
                    operation.setdefault("parameters", []).append({
                        "in": "header", "name": "Idempotency-Key", "required": False,
                        "description": "Makes a retried write run once (kept 48 h).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    })
        return schema


api = SasomAPI(
    title="Sasom API",
    version="1",
    description="Membership and loyalty points: members, sales, points, rewards and coupons.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, str(exc.message), exc.field)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # an unknown field is named first: a misspelling usually explains the other errors too
    unknown = [e for e in exc.errors if e.get("type") == "extra_forbidden"]
    first = (unknown or exc.errors or [{}])[0]
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
    message = f"Unknown field {loc[-1]!r}." if unknown and loc else first.get("msg", "Invalid input")
    return api.create_response(
        request,
        {
            "code": "invalid_input",
            "message": message,
            "field": ".".join(loc) or None,
            "errors": [
                {"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg", "")}
                for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", "A valid API key or staff session is required.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@api.get("/version", auth=None, tags=["meta"])
def version(request: HttpRequest) -> dict[str, str]:
    return {"version": __version__}


def _mount() -> None:
    api.add_router("/", integration_router)
    api.add_router("/", members_router)
    api.add_router("/", catalog_router)
    api.add_router("/", prices_router)
    api.add_router("/", checkout_router)
    api.add_router("/", ledger_router)
    api.add_router("/", tiers_router)
    api.add_router("/", earning_router)
    api.add_router("/", promotions_router)
    api.add_router("/", rewards_router)
    api.add_router("/", jobs_router)
    api.add_router("/", reports_router)
    if settings.BENCH_FLOOR:  # the benchmark's framework floor only (docs/performance.md, B1)
        # imported only when asked for: production never loads the floor's module
        from sasom.integrations.api_floor import router as floor_router

        api.add_router("/", floor_router)


_mount()
