"""Who calls the report builder's API and which saved reports they reach (``api`` and
``api_schedules`` share it): permission ``reports.view``; a staff session sees its own saved
reports and the shared ones, an API key the shared ones; only the owner changes one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from sasom.core.errors import Forbidden, NotFound
from sasom.core.permissions import branch_ids_in_scope
from sasom.integrations.auth import Principal, api_require
from sasom.organizations.models import Organization
from sasom.reports.builder_models import SavedReport
from sasom.reports.builder_services import (
    NOT_FOUND,
    NOT_OWNER,
    STAFF_ONLY,
    saved_reports_shared,
    saved_reports_visible,
)

PERMISSION = "reports.view"


@dataclass(frozen=True)
class Viewer:
    """Who asks, as the builder needs it: the organization, the staff member (None for a key)
    and the branches it may see (None: every branch)."""

    organization: Any
    staff: Any
    branch_ids: set[int] | None


def viewer_of(request: HttpRequest) -> Viewer:
    principal: Principal = api_require(request, PERMISSION)
    if principal.staff is not None:
        staff = principal.staff
        return Viewer(organization=staff.organization, staff=staff, branch_ids=branch_ids_in_scope(staff))
    organization = (principal.place[0] if principal.place is not None
                    else Organization.objects.get(pk=principal.organization_id))
    return Viewer(organization=organization, staff=None,
                  branch_ids={principal.branch_id} if principal.branch_id is not None else None)


def saved_visible(viewer: Viewer) -> QuerySet[SavedReport]:
    if viewer.staff is None:
        return saved_reports_shared(viewer.organization.pk).select_related("owner__user")
    return saved_reports_visible(viewer.staff).select_related("owner__user")


def saved_for(viewer: Viewer, report_id: int, *, own: bool = False) -> SavedReport:
    report = saved_visible(viewer).filter(pk=report_id).first()
    if report is None:
        raise NotFound(NOT_FOUND, "No such saved report.", field="report_id")
    if own and viewer.staff is None:
        raise Forbidden(STAFF_ONLY, "A saved report belongs to a staff member: an API key reads the shared ones "
                                    "and changes none.", field="report_id")
    if own and report.owner_id != viewer.staff.pk:
        raise Forbidden(NOT_OWNER, "Only its owner changes a saved report; save a copy under another name.",
                        field="report_id")
    return report


def staff_of(viewer: Viewer) -> Any:
    if viewer.staff is None:
        raise Forbidden(STAFF_ONLY, "A saved report belongs to a staff member: save it from a staff session.",
                        field=None)
    return viewer.staff
