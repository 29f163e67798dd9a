"""Branches and their terminals."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import Conflict, DomainError
from sasom.organizations.errors import BRANCH_CODE_TAKEN, BRANCH_INACTIVE, TERMINAL_CODE_TAKEN  # noqa: F401  (codes live in errors.py)
from sasom.organizations.models import Branch, Organization, Terminal

from ._common import audit_change as _audit_change
from ._common import clean_code as _clean_code

__all__ = [
    "BRANCH_CODE_TAKEN",
    "TERMINAL_CODE_TAKEN",
    "BRANCH_INACTIVE",
    "BRANCH_FIELDS",
    "TERMINAL_FIELDS",
    "branch_create",
    "branch_update",
    "branch_set_active",
    "terminal_create",
    "terminal_update",
]


BRANCH_FIELDS = ["code", "name", "address", "phone", "is_active"]
TERMINAL_FIELDS = ["branch_id", "code", "name", "kind", "is_active"]


@transaction.atomic
def branch_create(
    *,
    organization: Organization,
    actor: Actor,
    code: str,
    name: str,
    address: str = "",
    phone: str = "",
) -> Branch:
    code = _clean_code(code)
    if Branch.objects.filter(organization=organization, code=code).exists():
        raise Conflict(BRANCH_CODE_TAKEN, _("Another branch already uses this code."), field="code")
    branch = Branch.objects.create(
        organization=organization, code=code, name=name.strip(), address=address.strip(), phone=phone.strip()
    )
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="branch.create",
        obj=branch,
        changes=diff({}, snapshot(branch, BRANCH_FIELDS)),
    )
    return branch


@transaction.atomic
def branch_update(
    *,
    branch: Branch,
    actor: Actor,
    code: str,
    name: str,
    address: str = "",
    phone: str = "",
) -> Branch:
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    before = snapshot(branch, BRANCH_FIELDS)
    code = _clean_code(code)
    if Branch.objects.filter(organization_id=branch.organization_id, code=code).exclude(pk=branch.pk).exists():
        raise Conflict(BRANCH_CODE_TAKEN, _("Another branch already uses this code."), field="code")
    branch.code, branch.name, branch.address, branch.phone = code, name.strip(), address.strip(), phone.strip()
    branch.save()
    _audit_change(branch.organization_id, actor, "branch.update", branch, before, BRANCH_FIELDS)
    return branch


@transaction.atomic
def branch_set_active(*, branch: Branch, actor: Actor, is_active: bool) -> Branch:
    """Deactivating a branch keeps its history; its terminals stop being offered for new sales."""
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    before = snapshot(branch, BRANCH_FIELDS)
    branch.is_active = is_active
    branch.save(update_fields=["is_active"])
    action = "branch.reactivate" if is_active else "branch.deactivate"
    _audit_change(branch.organization_id, actor, action, branch, before, BRANCH_FIELDS)
    return branch


@transaction.atomic
def terminal_create(
    *,
    branch: Branch,
    actor: Actor,
    code: str,
    name: str,
    kind: str = Terminal.Kind.POS,
) -> Terminal:
    if not branch.is_active:
        raise DomainError(BRANCH_INACTIVE, _("This branch is inactive; reactivate it first."), field="branch")
    code = _clean_code(code)
    if Terminal.objects.filter(organization_id=branch.organization_id, code=code).exists():
        raise Conflict(TERMINAL_CODE_TAKEN, _("Another terminal already uses this code."), field="code")
    terminal = Terminal.objects.create(
        organization_id=branch.organization_id, branch=branch, code=code, name=name.strip(), kind=kind
    )
    audit_record(
        organization_id=branch.organization_id,
        actor=actor,
        action="terminal.create",
        obj=terminal,
        changes=diff({}, snapshot(terminal, TERMINAL_FIELDS)),
    )
    return terminal


@transaction.atomic
def terminal_update(
    *,
    terminal: Terminal,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    is_active: bool,
) -> Terminal:
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    before = snapshot(terminal, TERMINAL_FIELDS)
    code = _clean_code(code)
    if (
        Terminal.objects.filter(organization_id=terminal.organization_id, code=code)
        .exclude(pk=terminal.pk)
        .exists()
    ):
        raise Conflict(TERMINAL_CODE_TAKEN, _("Another terminal already uses this code."), field="code")
    terminal.code, terminal.name, terminal.kind, terminal.is_active = code, name.strip(), kind, is_active
    terminal.save()
    _audit_change(terminal.organization_id, actor, "terminal.update", terminal, before, TERMINAL_FIELDS)
    return terminal
