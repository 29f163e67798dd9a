"""Input the database cannot store is refused at the door of the JSON API.

PostgreSQL text and JSON values cannot hold the NUL character (U+0000): a query carrying one fails
with ``DataError`` wherever it reaches the database (a lookup, an insert, a JSON field), which the
API would answer with a 500. Back-office forms already refuse it (Django's ``CharField`` does);
for ``/api/v1/`` this middleware answers 422 ``invalid_input`` naming the field, before
authentication and idempotency, so nothing runs and nothing is stored. The hot path pays one
byte search over the body.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, overload
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from sasom.core.errors import E_INVALID_INPUT, DomainError

API_PREFIX = "/api/"
NUL_MESSAGE = "Text may not contain the NUL character (U+0000)."
NOT_AN_OBJECT = ""  # nul_field's answer for a JSON body that is not an object
OBJECT_MESSAGE = "The request body must be a JSON object."


def _nul_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if "\x00" in str(k):
                yield sub
            yield from _nul_paths(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nul_paths(v, f"{path}.{i}" if path else str(i))


def nul_field(request: HttpRequest) -> str | None:
    """The first place of ``request`` holding a NUL: ``path``, a query parameter, a body field;
    ``NOT_AN_OBJECT`` for a JSON body that is not an object; None when all is well."""
    if "\x00" in request.path or "%00" in request.META.get("PATH_INFO", ""):
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in unquote(query):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
        return "query"
    content_type = request.META.get("CONTENT_TYPE", "")
    if "json" not in content_type:
        return None  # uploads (day-end files) are read as files, not stored as text
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not length or length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None  # empty, or refused as too large further on
    body = request.body
    if body.lstrip()[:1] not in (b"{", b""):
        return NOT_AN_OBJECT  # every JSON body of this API is an object (ninja would read [] as {})
    if b"\\u0000" not in body and b"\x00" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: the API refuses it as such
    return next(_nul_paths(data, ""), None)


class NulRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            field = nul_field(request)
            if field is not None:
                message = NUL_MESSAGE if field else OBJECT_MESSAGE
                return JsonResponse({"code": E_INVALID_INPUT, "message": message, "field": field or None,
                                     "errors": [{"field": field or "body", "message": message}]}, status=422)
        return self.get_response(request)


_ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_text_only(value: Any) -> Any:
    """For ``BeforeValidator``: a date or date-time arrives as an ISO 8601 string, as the OpenAPI
    schema says. Pydantic would otherwise read a number as Unix seconds (``-989`` became a date in
    1969), which the schema does not allow and no integrator means."""
    import datetime as dt

    if isinstance(value, str):
        # "0" or "1700000000" as text would still be read as Unix seconds: ISO starts YYYY-MM-DD
        if not _ISO_DATE_START.match(value.strip()):
            raise ValueError("give an ISO 8601 date or date-time string")
        return value
    if isinstance(value, dt.date) or value is None:
        return value
    raise ValueError("give an ISO 8601 date or date-time string")


@overload
def api_local_time(value: dt.datetime) -> dt.datetime: ...
@overload
def api_local_time(value: None) -> None: ...
@overload
def api_local_time(value: dt.datetime | None) -> dt.datetime | None: ...
def api_local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A moment as the API answers it: in the server's time zone, or in UTC where that zone's
    offset at the time was not whole minutes (RFC 3339 offsets are whole minutes)."""
    if value is None:
        return None
    local = timezone.localtime(value)
    offset = local.utcoffset()
    return local if offset is None or offset.total_seconds() % 60 == 0 else value.astimezone(dt.UTC)


def query_known(request: HttpRequest, fields: Iterable[str]) -> None:
    """An unknown query parameter (a typo like ``?actve=false``) or one given twice is refused
    (422 ``invalid_input`` naming it), not silently ignored or resolved to the last value."""
    known = set(fields)
    for name in sorted(request.GET):
        if name not in known:
            message = f"Unknown query parameter {name!r}."
        elif len(request.GET.getlist(name)) > 1:
            message = f"Query parameter {name!r} is given more than once."
        else:
            continue
        raise DomainError(E_INVALID_INPUT, message, field=name, status=422)


def form_known(request: HttpRequest, fields: Iterable[str]) -> None:
    """A form (multipart) operation refuses a field it does not take (422 ``invalid_input`` naming
    it), as a JSON body schema does."""
    known = set(fields)
    for name in sorted({*request.POST, *request.FILES}):
        if name not in known:
            raise DomainError(E_INVALID_INPUT, f"Unknown field {name!r}.", field=name, status=422)


def body_none(request: HttpRequest) -> None:
    """An operation that takes no body refuses one carrying fields (422 ``invalid_input`` naming
    the first), as a body schema refuses fields it does not declare; nothing, or ``{}``, is fine."""
    if "json" not in request.META.get("CONTENT_TYPE", "") or not request.body.strip():
        return
    try:
        data = json.loads(request.body)
    except ValueError:
        raise DomainError(E_INVALID_INPUT, "The request body is not JSON.", field=None, status=422) from None
    if isinstance(data, dict) and data:
        name = sorted(data)[0]
        raise DomainError(E_INVALID_INPUT, f"Unknown field {name!r}: this operation takes no body.",
                          field=name, status=422)
