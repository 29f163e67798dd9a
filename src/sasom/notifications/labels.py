"""Mailing labels and envelopes for post (seed 001's envelopes and labels): the addresses of the
members a segment selects, printed on standard A4 label sheets or straight onto DL and C5
envelopes (the shop's return address at the top left), with WeasyPrint and Thai fonts, in the
Thai postal order. Only members with a full address (province and postcode) are printed; the page
says how many were left out. Printing personal data is audited with the count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.segments.builder import segment_members

MAX_LABELS = 5000  # about 240 sheets; a larger mailing is printed in parts (narrow the segment)


@dataclass(frozen=True)
class Layout:
    key: str
    label: Any  # a lazy translation
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    top_mm: float
    left_mm: float
    gap_mm: float  # between columns

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


LAYOUTS = {layout.key: layout for layout in (
    Layout("a4-21", _("A4, 21 labels (3 × 7, 63.5 × 38.1 mm)"), 3, 7, 63.5, 38.1, 15.15, 7.25, 2.5),
    Layout("a4-14", _("A4, 14 labels (2 × 7, 99.1 × 38.1 mm)"), 2, 7, 99.1, 38.1, 15.15, 4.65, 2.5),
    Layout("a4-24", _("A4, 24 labels (3 × 8, 63.5 × 33.9 mm)"), 3, 8, 63.5, 33.9, 12.9, 7.25, 2.5),
)}


@dataclass(frozen=True)
class Envelope:
    key: str
    label: Any
    width_mm: float
    height_mm: float


ENVELOPES = {envelope.key: envelope for envelope in (
    Envelope("dl", _("Envelope DL (220 × 110 mm)"), 220, 110),
    Envelope("c5", _("Envelope C5 (229 × 162 mm)"), 229, 162),
)}


def address_lines(member: Member) -> list[str]:
    """The member's name and address as a Thai envelope reads them."""
    name = " ".join(p for p in (member.title or "คุณ", member.first_name, member.last_name) if p).strip()
    street = " ".join(p for p in (
        member.address_line, f"หมู่ {member.moo}" if member.moo else "", f"ซอย {member.soi}" if member.soi else "",
        f"ถนน {member.road}" if member.road else "") if p)
    area = " ".join(p for p in (member.subdistrict, member.district) if p)
    last = " ".join(p for p in (member.province, member.postcode) if p)
    return [line for line in (name, street, area, last) if line]


def labelled(members: Any) -> Any:
    """Members whose address can be posted to."""
    return members.exclude(province="").exclude(postcode="")


def label_members(*, organization_id: int, conditions: list[dict[str, Any]], consent_only: bool) -> Any:
    members = segment_members(organization_id=organization_id, conditions=conditions)
    if consent_only:
        members = members.filter(marketing_consent=True)
    return members


def label_sheets(layout: Layout, addresses: list[list[str]], start_at: int) -> list[list[dict[str, Any]]]:
    """The labels of each sheet with their place (mm from the sheet's top-left corner); the first
    sheet starts at label ``start_at`` (1 = top left, row by row), the ones before it left blank."""
    skip = max(1, min(start_at, layout.per_sheet)) - 1
    sheets: list[list[dict[str, Any]]] = []
    for n, lines in enumerate(addresses, start=skip):
        sheet, place = divmod(n, layout.per_sheet)
        if sheet == len(sheets):
            sheets.append([])
        row, column = divmod(place, layout.columns)
        sheets[sheet].append({
            "lines": lines, "left": round(layout.left_mm + column * (layout.width_mm + layout.gap_mm), 2),
            "top": round(layout.top_mm + row * layout.height_mm, 2)})
    return sheets or [[]]


def _printed(*, organization: Organization, members: Any, key: str, actor: Actor) -> list[list[str]]:
    """The addresses to print (by postcode, at most ``MAX_LABELS``), the printing audited with
    its counts (never the addresses)."""
    total = members.count()
    printable = [address_lines(m) for m in labelled(members).order_by("postcode", "code")[:MAX_LABELS]]
    audit_record(organization_id=organization.pk, actor=actor, action="notify.labels_print", obj=organization,
                 object_repr=key, changes={"printed": [None, len(printable)],
                                           "without_address": [None, total - len(printable)]})
    return printable


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads pango; only a PDF needs it

    return bytes(HTML(string=render_to_string(template, context)).render().write_pdf())


def labels_pdf(*, organization: Organization, members: Any, layout: Layout, start_at: int, actor: Actor) -> bytes:
    addresses = _printed(organization=organization, members=members, key=layout.key, actor=actor)
    return _pdf("notifications/labels_pdf.html", {
        "layout": layout, "sheets": label_sheets(layout, addresses, start_at), "organization": organization})


def envelopes_pdf(*, organization: Organization, members: Any, envelope: Envelope, sender: list[str],
                  actor: Actor) -> bytes:
    """One envelope a page: the shop's name and return address at the top left, the member's
    name and address in the lower right half, as Thai post asks."""
    addresses = _printed(organization=organization, members=members, key=envelope.key, actor=actor)
    return _pdf("notifications/envelopes_pdf.html", {"envelope": envelope, "sender": sender, "addresses": addresses})


def sender_lines(organization: Organization, branch: Any) -> list[str]:
    """The return address: the shop's name, then the branch's address as written."""
    lines = [organization.name]
    if branch is not None:
        lines += [line.strip() for line in (branch.address or "").splitlines() if line.strip()]
    return lines


def labels_filename(organization: Organization) -> str:
    return f"labels-{organization.code}-{timezone.now():%Y%m%d-%H%M}.pdf"
