"""Tenant ownership.

Every table a tenant owns carries ``organization`` so the schema can be distributed by that key
(Citus) once one server is outgrown: queries filter on it, unique keys start with it.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def organization_key(*, db_index: bool = True) -> models.ForeignKey[Any, Any]:
    """The tenant key. A hot table whose composite indexes all lead with it passes
    ``db_index=False``: the single-column index would only cost writes. (Typed ``Any``: core
    cannot name ``organizations.Organization``.)"""
    return models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                             db_index=db_index)


class TenantModel(models.Model):
    organization = organization_key()

    class Meta:
        abstract = True
