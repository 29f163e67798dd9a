"""Staff accounts and roles. Every change is audited with a field diff.

The rules about who may hand out which role live here, not in the views, so the API and the back
office enforce the same thing:

* branch-scoped roles (branch manager, cashier, service counter) need at least one branch;
  organization-wide roles hold no branches;
* only an owner may create an owner or change anything about an owner;
* nobody deactivates themselves or changes their own role, and the last active owner stays an owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import Conflict, DomainError, Forbidden, NotFound
from sasom.organizations.errors import (  # noqa: F401  (codes live in errors.py)
    BRANCH_NOT_FOUND,
    BRANCHES_NOT_ALLOWED,
    BRANCHES_REQUIRED,
    LAST_OWNER,
    OWNER_ONLY,
    PASSWORD_WEAK,
    ROLE_UNKNOWN,
    SELF_DEACTIVATE,
    SELF_ROLE_CHANGE,
    STAFF_NOT_FOUND,
    USERNAME_TAKEN,
)
from sasom.organizations.models import BRANCH_SCOPED_ROLES, Branch, Organization, Role, Staff

__all__ = [
    "BRANCH_NOT_FOUND",
    "STAFF_NOT_FOUND",
    "USERNAME_TAKEN",
    "PASSWORD_WEAK",
    "ROLE_UNKNOWN",
    "BRANCHES_REQUIRED",
    "BRANCHES_NOT_ALLOWED",
    "OWNER_ONLY",
    "SELF_DEACTIVATE",
    "SELF_ROLE_CHANGE",
    "LAST_OWNER",
    "staff_create",
    "staff_update",
    "staff_set_active",
    "staff_reset_password",
]



def _staff_snapshot(staff: Staff) -> dict[str, Any]:
    data = snapshot(staff, ["role", "display_name", "is_active"])
    data["branches"] = sorted(staff.branches.values_list("code", flat=True))
    return data


def _check_role_and_branches(
    *, organization: Organization, role: str, branch_ids: Iterable[int]
) -> list[Branch]:
    if role not in Role.values:
        raise DomainError(ROLE_UNKNOWN, _("Choose one of the roles."), field="role")
    ids = set(branch_ids)
    branches = list(Branch.objects.filter(organization=organization, pk__in=ids))
    if len(branches) != len(ids):
        raise NotFound(BRANCH_NOT_FOUND, _("One of the branches does not exist."), field="branches")
    if role in BRANCH_SCOPED_ROLES and not branches:
        raise DomainError(
            BRANCHES_REQUIRED, _("This role works in branches: choose at least one."), field="branches"
        )
    if role not in BRANCH_SCOPED_ROLES and branches:
        raise DomainError(
            BRANCHES_NOT_ALLOWED,
            _("This role covers the whole organization: leave the branches empty."),
            field="branches",
        )
    return branches


def _ensure_may_grant(by: Staff, role: str) -> None:
    if role == Role.OWNER and by.role != Role.OWNER:
        raise Forbidden(OWNER_ONLY, _("Only an owner may give the owner role."), field="role")


def _ensure_may_touch(by: Staff, target: Staff) -> None:
    if target.organization_id != by.organization_id:
        raise NotFound(STAFF_NOT_FOUND, _("No such staff member."))
    if target.role == Role.OWNER and by.role != Role.OWNER:
        raise Forbidden(OWNER_ONLY, _("Only an owner may change an owner's account."))


def _other_active_owners(staff: Staff) -> int:
    return (
        Staff.objects.filter(organization_id=staff.organization_id, role=Role.OWNER, is_active=True)
        .exclude(pk=staff.pk)
        .count()
    )


def _validate_password(password: str, user: Any) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(PASSWORD_WEAK, " ".join(exc.messages), field="password") from exc


@transaction.atomic
def staff_create(
    *,
    organization: Organization,
    by: Staff,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    branch_ids: Iterable[int] = (),
) -> Staff:
    user_model = get_user_model()
    username = username.strip()
    _ensure_may_grant(by, role)
    branches = _check_role_and_branches(organization=organization, role=role, branch_ids=branch_ids)
    if user_model.objects.filter(username__iexact=username).exists():
        raise Conflict(USERNAME_TAKEN, _("This username is taken."), field="username")
    user = user_model(username=username, first_name=display_name[:150])
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    staff = Staff.objects.create(
        organization=organization, user=user, role=role, display_name=display_name.strip()
    )
    staff.branches.set(branches)
    changes = diff({}, _staff_snapshot(staff))
    changes["username"] = [None, username]
    audit_record(organization_id=organization.id, actor=actor, action="staff.create", obj=staff, changes=changes)
    return staff


@transaction.atomic
def staff_update(
    *,
    staff: Staff,
    by: Staff,
    actor: Actor,
    role: str,
    display_name: str,
    branch_ids: Iterable[int] = (),
) -> Staff:
    staff = Staff.objects.select_for_update().select_related("organization").get(pk=staff.pk)
    _ensure_may_touch(by, staff)
    _ensure_may_grant(by, role)
    if staff.pk == by.pk and role != staff.role:
        raise Forbidden(SELF_ROLE_CHANGE, _("You cannot change your own role."), field="role")
    if staff.role == Role.OWNER and role != Role.OWNER and staff.is_active and not _other_active_owners(staff):
        raise Conflict(LAST_OWNER, _("The organization needs at least one active owner."), field="role")
    branches = _check_role_and_branches(organization=staff.organization, role=role, branch_ids=branch_ids)
    before = _staff_snapshot(staff)
    staff.role, staff.display_name = role, display_name.strip()
    staff.save(update_fields=["role", "display_name"])
    staff.branches.set(branches)
    _audit_staff(staff, actor, "staff.update", before)
    return staff


@transaction.atomic
def staff_set_active(*, staff: Staff, by: Staff, actor: Actor, is_active: bool) -> Staff:
    """Deactivating keeps the account and its history; the person can no longer log in."""
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    _ensure_may_touch(by, staff)
    if not is_active and staff.pk == by.pk:
        raise Forbidden(SELF_DEACTIVATE, _("You cannot deactivate yourself."))
    if not is_active and staff.role == Role.OWNER and not _other_active_owners(staff):
        raise Conflict(LAST_OWNER, _("The organization needs at least one active owner."))
    before = _staff_snapshot(staff)
    staff.is_active = is_active
    staff.save(update_fields=["is_active"])
    staff.user.is_active = is_active
    staff.user.save(update_fields=["is_active"])
    _audit_staff(staff, actor, "staff.reactivate" if is_active else "staff.deactivate", before)
    return staff


@transaction.atomic
def staff_reset_password(*, staff: Staff, by: Staff, actor: Actor, password: str) -> Staff:
    """Sets a new password chosen by the administrator; the person's open sessions end."""
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    _ensure_may_touch(by, staff)
    _validate_password(password, staff.user)
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    audit_record(
        organization_id=staff.organization_id,
        actor=actor,
        action="staff.reset_password",
        obj=staff,
        changes={"password": ["(changed)", "(changed)"]},
    )
    return staff


def _audit_staff(staff: Staff, actor: Actor, action: str, before: dict) -> None:
    changes = diff(before, _staff_snapshot(staff))
    if changes:
        audit_record(organization_id=staff.organization_id, actor=actor, action=action, obj=staff, changes=changes)
