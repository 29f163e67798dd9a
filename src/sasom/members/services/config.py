"""Writes for configuration: member types and the organization's own member fields. Audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import Conflict, DomainError
from sasom.members.errors import (  # noqa: F401  (codes live in errors.py)
    CUSTOM_FIELD_CHOICES_MISSING,
    CUSTOM_FIELD_KEY_TAKEN,
    MEMBER_TYPE_CODE_TAKEN,
    MEMBER_TYPE_IN_USE,
)
from sasom.organizations.models import Organization

from ..models import CustomField, Member, MemberType

# --- member types -------------------------------------------------------------------------

MEMBER_TYPE_FIELDS = [
    "code", "name", "name_en", "can_earn", "discount_percent", "birthday_discount_percent",
    "birthday_scope", "card_validity_months", "benefits_stop_on_expiry", "is_default", "is_active", "sort_order",
]


@transaction.atomic
def member_type_save(*, organization: Organization, actor: Actor, data: Mapping[str, Any], member_type: MemberType | None = None) -> MemberType:
    """Create or change a member type; at most one type is the default for new members."""
    code = (data.get("code") or "").strip()
    clash = MemberType.objects.filter(organization=organization, code=code)
    if member_type is not None:
        clash = clash.exclude(pk=member_type.pk)
    if clash.exists():
        raise Conflict(MEMBER_TYPE_CODE_TAKEN, _("Another member type has this code."), field="code")
    creating = member_type is None
    mt = member_type or MemberType(organization=organization)
    # A ModelForm may already have copied its values onto ``member_type``: read the stored row.
    before = {} if creating else snapshot(MemberType.objects.get(pk=mt.pk), MEMBER_TYPE_FIELDS)
    for k in MEMBER_TYPE_FIELDS:
        if k in data:
            setattr(mt, k, data[k])
    mt.code = code
    mt.save()
    if mt.is_default:
        MemberType.objects.filter(organization=organization, is_default=True).exclude(pk=mt.pk).update(is_default=False)
    changes = diff(before, snapshot(mt, MEMBER_TYPE_FIELDS))
    if changes or creating:
        audit_record(
            organization_id=organization.pk, actor=actor,
            action="member_type.create" if creating else "member_type.update", obj=mt, changes=changes,
        )
    return mt


@transaction.atomic
def member_type_delete(*, member_type: MemberType, actor: Actor) -> None:
    if Member.objects.filter(member_type=member_type).exists():
        raise Conflict(MEMBER_TYPE_IN_USE, _("Members have this type; deactivate it instead."), field="code")
    audit_record(
        organization_id=member_type.organization_id, actor=actor, action="member_type.delete", obj=member_type,
        changes=diff(snapshot(member_type, MEMBER_TYPE_FIELDS), {}),
    )
    member_type.delete()


# --- custom field definitions -------------------------------------------------------------

CUSTOM_FIELD_FIELDS = ["key", "label", "kind", "choices", "required", "sort_order"]


@transaction.atomic
def custom_field_save(
    *, organization: Organization, actor: Actor, data: Mapping[str, Any], custom_field: CustomField | None = None
) -> CustomField:
    """Define or change an organization's member field. Stored values are kept when it changes."""
    key = (data.get("key") or "").strip()
    clash = CustomField.objects.filter(organization=organization, key=key)
    if custom_field is not None:
        clash = clash.exclude(pk=custom_field.pk)
    if clash.exists():
        raise Conflict(CUSTOM_FIELD_KEY_TAKEN, _("Another field has this key."), field="key")
    if data.get("kind") == CustomField.Kind.CHOICE and not data.get("choices"):
        raise DomainError(CUSTOM_FIELD_CHOICES_MISSING, _("List the choices."), field="choices")
    creating = custom_field is None
    cf = custom_field or CustomField(organization=organization)
    before = {} if creating else snapshot(CustomField.objects.get(pk=cf.pk), CUSTOM_FIELD_FIELDS)
    for k in CUSTOM_FIELD_FIELDS:
        if k in data:
            setattr(cf, k, data[k])
    cf.key = key
    cf.save()
    audit_record(
        organization_id=organization.pk, actor=actor, action="custom_field.create" if creating else "custom_field.update",
        obj=cf, object_repr=cf.key, changes=diff(before, snapshot(cf, CUSTOM_FIELD_FIELDS)),
    )
    return cf


@transaction.atomic
def custom_field_delete(*, custom_field: CustomField, actor: Actor) -> None:
    """Remove the definition; values already stored on members stay in ``Member.custom``."""
    audit_record(
        organization_id=custom_field.organization_id, actor=actor, action="custom_field.delete", obj=custom_field,
        object_repr=custom_field.key, changes=diff(snapshot(custom_field, CUSTOM_FIELD_FIELDS), {}),
    )
    custom_field.delete()

__all__ = [
    "MEMBER_TYPE_CODE_TAKEN",
    "MEMBER_TYPE_IN_USE",
    "MEMBER_TYPE_FIELDS",
    "member_type_save",
    "member_type_delete",
    "CUSTOM_FIELD_KEY_TAKEN",
    "CUSTOM_FIELD_CHOICES_MISSING",
    "CUSTOM_FIELD_FIELDS",
    "custom_field_save",
    "custom_field_delete",
]
