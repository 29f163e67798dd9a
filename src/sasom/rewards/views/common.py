from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet

from sasom.core.errors import DomainError
from sasom.core.permissions import branch_ids_in_scope
from sasom.members.models import Member
from sasom.members.selectors import member_lookup
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch, Terminal


def branches_for(request: StaffRequest) -> QuerySet[Branch]:
    """Active branches the staff member may act in (all, for organization-wide roles)."""
    qs = Branch.objects.filter(organization=request.organization, is_active=True).order_by("code")
    scope = branch_ids_in_scope(request.staff)
    return qs if scope is None else qs.filter(pk__in=scope)


def terminals_for(request: StaffRequest) -> QuerySet[Terminal]:
    return Terminal.objects.filter(
        organization=request.organization, is_active=True, branch__in=branches_for(request)
    ).select_related("branch").order_by("code")


def find_member(request: StaffRequest, q: str) -> Member | None:
    q = (q or "").strip()
    if not q:
        return None
    return member_lookup(request.organization.pk, phone=q, card=q, code=q)


def form_error(request: StaffRequest, form: Any, error: DomainError) -> None:
    """Show a service refusal on its field when the form has it, else as a message."""
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, str(error.message))
    else:
        messages.error(request, str(error.message))
