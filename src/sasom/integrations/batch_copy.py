"""Staged documents written in one statement per chunk: ``COPY`` on PostgreSQL (one text row per
document, the payload as ``jsonb``), ``bulk_create`` elsewhere. Django's ``bulk_create`` on
PostgreSQL sends a multi-row INSERT whose values psycopg escapes on the client (most of staging's
time in the B3 profile of docs/performance.md); COPY writes the same rows."""

from __future__ import annotations

from typing import Any

from django.db import connection

from sasom.integrations.models import BatchDocument
from sasom.ledger.services.bulk_rows import copy_rows, row_of

__all__ = ["documents_write"]


def documents_write(rows: list[dict[str, Any]]) -> None:
    """Store staged documents, each given as its column values by attribute name (``batch_id``,
    ``row_no``, ``payload``...); the other columns take their defaults. The caller holds the
    transaction."""
    full = [row_of(BatchDocument, row) for row in rows]
    if connection.vendor == "postgresql":
        copy_rows(BatchDocument, full)
    else:
        BatchDocument.objects.bulk_create([BatchDocument(**row) for row in full])
