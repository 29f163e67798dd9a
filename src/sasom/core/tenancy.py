"""Tenant ownership.

Every table a tenant owns carries ``organization`` so the schema can be distributed by that key
(Citus) once one server is outgrown: queries filter on it, unique keys start with it.
"""

from __future__ import annotations

from django.db import models


class TenantModel(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", db_index=True
    )

    class Meta:
        abstract = True
