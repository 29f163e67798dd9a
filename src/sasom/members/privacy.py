"""PDPA (Thailand's Personal Data Protection Act): a member's own data, and how long it is kept.

* :func:`member_data_export` gathers everything the organization holds about one member (profile,
  cards, consents, code history, then the sections other apps register in ``members.registry``:
  points account, entries, sales with their lines, redemptions, coupons) as plain JSON-ready
  values; :func:`export_as_json` and :func:`export_as_csv_zip` turn it into the files handed to
  the member (UTF-8 with a BOM so Excel shows Thai).
* Erasure is ``members.services.member_anonymize``: personal fields are blanked within the
  tenant while the member row, and so every ledger sum, stays; the erasers other apps register
  forget the phone and e-mail they keep.
* :class:`~sasom.members.models.MemberRetention` says how many days after closing a closed
  member's personal data is erased; :func:`members_retention_apply` does it (idempotent).

Audit events name the member by code and never carry a personal value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.members.errors import E_RETENTION_DAYS  # noqa: F401  (codes live in errors.py)
from sasom.organizations.models import Organization

from .models import Member, MemberRetention
from .registry import exporters
from .services import member_anonymize

EXPORT_FORMAT_VERSION = 1
RETENTION_DAYS_MAX = 36500
PROFILE_FIELDS = [
    "code", "status", "member_type", "phone", "title", "first_name", "last_name", "gender", "birth_on",
    "marital_status", "occupation", "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict",
    "district", "province", "postcode", "tags", "custom", "erp_debtor_code", "referred_by", "home_branch",
    "marketing_consent", "language", "joined_on", "expires_on", "anonymized_at", "created_at", "updated_at",
]


def plain(value: Any) -> Any:
    """A value as the export writes it (ISO dates, decimals as strings)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export_rows(qs: Any, fields: list[str]) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in qs.values(*fields)]


def member_data_export(member: Member) -> dict[str, Any]:
    """Everything held about ``member`` in its organization, section by section: the member's own,
    then those the other apps registered (``members.registry.register_exporter``)."""
    m = Member.objects.select_related("member_type", "referred_by", "home_branch").get(pk=member.pk)
    profile = {name: plain(getattr(m, name)) for name in PROFILE_FIELDS
               if name not in ("member_type", "referred_by", "home_branch")}
    profile["member_type"] = m.member_type.code
    profile["referred_by"] = m.referred_by.code if m.referred_by else ""
    profile["home_branch"] = m.home_branch.code if m.home_branch else ""
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "organization": m.organization.name,
        "profile": profile,
        "cards": export_rows(m.cards.order_by("issued_on", "id"), ["number", "status", "issued_on", "closed_on"]),
        "consents": export_rows(m.consents.order_by("at", "id"), ["purpose", "granted", "channel", "at", "recorded_by"]),
        "code_history": export_rows(m.code_changes.order_by("changed_at", "id"), ["old_code", "new_code", "changed_at"]),
    }
    for section in exporters():
        data[section.name] = section.collect(m)
    return data


def export_as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    writer = csv.DictWriter(out, fieldnames=fields or ["(none)"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                         for k, v in row.items()})
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def export_as_csv_zip(data: dict[str, Any]) -> bytes:
    """One CSV per section in a zip (a registered section may split into several files, as sales
    and their lines do)."""
    sections: dict[str, list[dict[str, Any]]] = {
        "profile": [data["profile"]],
        "cards": data["cards"],
        "consents": data["consents"],
        "code_history": data["code_history"],
    }
    for section in exporters():
        if section.name in data:
            sections.update(section.as_csv(data[section.name]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, rows in sections.items():
            zf.writestr(f"{name}.csv", _csv_bytes(rows))
    return buffer.getvalue()


def member_export_audit(*, member: Member, actor: Actor, fmt: str) -> None:
    """Record that the member's data left the system: who, which member (by code), which format."""
    audit_record(organization_id=member.organization_id, actor=actor, action="member.export", obj=member,
                 object_repr=member.code, changes={"format": [None, fmt]})


# --- retention ------------------------------------------------------------------------------------


def retention_for(organization_id: int) -> MemberRetention:
    return MemberRetention.objects.filter(organization_id=organization_id).first() or MemberRetention(
        organization_id=organization_id
    )


@transaction.atomic
def retention_save(*, organization_id: int, days: int | None, actor: Actor) -> MemberRetention:
    if days is not None and not (0 <= days <= RETENTION_DAYS_MAX):
        raise DomainError(E_RETENTION_DAYS, _("Give a number of days from 0 to 36500, or leave it empty."),
                          field="anonymize_closed_after_days")
    obj, _created = MemberRetention.objects.select_for_update().get_or_create(organization_id=organization_id)
    old = obj.anonymize_closed_after_days
    if old != days:
        obj.anonymize_closed_after_days = days
        obj.save()
        audit_record(organization_id=organization_id, actor=actor, action="members.retention", obj=obj,
                     object_repr="retention", changes={"anonymize_closed_after_days": [old, days]})
    return obj


def closed_on_by_member(organization_id: int, member_ids: list[int], tz: Any) -> dict[int, dt.date]:
    """The local date each member was last closed, from the audit trail (every status change is
    audited, one by one or by the bulk tools); a closed member with no such event counts from
    its last change."""
    found: dict[int, dt.date] = {}
    for i in range(0, len(member_ids), 1000):
        chunk = member_ids[i : i + 1000]
        events = (
            AuditEvent.objects.filter(organization_id=organization_id, object_type="members.member",
                                      object_id__in=[str(pk) for pk in chunk])
            .order_by("at", "id")
            .values_list("object_id", "at", "changes")
        )
        for object_id, at, changes in events:
            status = (changes or {}).get("status")
            if isinstance(status, list) and len(status) == 2 and status[1] == Member.Status.CLOSED:
                found[int(object_id)] = timezone.localtime(at, tz).date()
    return found


def members_retention_apply(organization_id: int, today: dt.date | None = None, *,
                            actor: Actor | None = None) -> int:
    """Anonymize every closed member closed at least N days before ``today`` (the organization's
    local date); returns how many. Running it again the same day anonymizes nobody new."""
    setting = MemberRetention.objects.filter(organization_id=organization_id).first()
    if setting is None or setting.anonymize_closed_after_days is None:
        return 0
    tz = zoneinfo.ZoneInfo(Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id))
    today = today or timezone.localtime(timezone.now(), tz).date()
    actor = actor or Actor.system("members_retention_apply")
    cutoff = today - dt.timedelta(days=setting.anonymize_closed_after_days)
    closed = dict(Member.objects.filter(organization_id=organization_id, status=Member.Status.CLOSED)
                  .values_list("pk", "updated_at"))
    closed_on = closed_on_by_member(organization_id, sorted(closed), tz)
    done = 0
    for pk in sorted(closed):
        on = closed_on.get(pk) or timezone.localtime(closed[pk], tz).date()
        if on > cutoff:
            continue
        member = Member.objects.get(pk=pk)
        if member.status != Member.Status.CLOSED:  # reopened meanwhile
            continue
        member_anonymize(member=member, actor=actor,
                         reason=f"retention: closed on {on.isoformat()}, kept {setting.anonymize_closed_after_days} days")
        done += 1
    return done


def members_retention_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Closed members past the organization's retention are anonymized (PDPA; daily)."""
    return {"anonymized_members": members_retention_apply(organization_id, on_date)}
