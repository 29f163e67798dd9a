"""The framework's floor for the benchmarks (docs/performance.md, B1 reference (b)).

``POST /api/v1/bench/floor`` does what every API call pays for and nothing else: the whole
middleware stack, the bearer key's authentication and permission check (as ``POST /api/v1/sales``),
django-ninja reading the JSON body, and a small JSON answer. The benchmark sends it the same
bodies as the sales it posts, so the application CPU of a sale can be compared with the CPU of
a request that does no work of its own.

It is mounted only when the ``SASOM_BENCH_FLOOR`` setting is on (``settings.BENCH_FLOOR``, read
from the environment; off by default): a production server never answers it
(``integrations/tests/test_api_floor.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Status

from sasom.integrations.auth import api_auth, api_require

router = Router(tags=["benchmark"], auth=api_auth)


@router.post("/bench/floor", response={201: dict[str, Any]}, include_in_schema=False)
def floor(request: HttpRequest, body: dict[str, Any] = Body(...)) -> Status:  # noqa: B008 (ninja's way)
    api_require(request, "points.earn")
    lines = body.get("lines")
    return Status(201, {"receipt_id": str(body.get("receipt_id", "")), "lines": len(lines) if isinstance(lines, list) else 0})
