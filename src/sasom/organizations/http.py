"""The back office's request type, for annotations only.

``StaffContextMiddleware`` sets ``staff`` and ``organization`` on every request and django-htmx
sets ``htmx``; a ``@require_perm`` view runs only when an active staff member is logged in, so in
such a view neither is ``None``. Requests stay Django's own at run time.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from sasom.organizations.models import Organization, Staff


class StaffRequest(HttpRequest):
    staff: Staff
    organization: Organization
    htmx: HtmxDetails
