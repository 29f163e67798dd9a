"""Member cards (CR80, 85.6 × 53.98 mm) as a PDF: the front (the shop's logo when it has one, its
name, the member's name, member type or tier, member code and card number, expiry date in the
organization's calendar) and the back (a Code 128 barcode or a QR code of the card's number, the
number written under it).

The number printed and encoded is the member's **active card** (the newest one issued): when a lost
card was replaced (``members.services.card_replace`` closes it and issues a new number on the same
member), a reprint carries the new number and the lost one no longer finds the member at the till.
A member without a card gets their member code, which the till finds as well.

Two layouts: A4 card sheets (10 cards, 2 × 5, cut marks in the margins; each sheet of fronts is
followed by its backs, the columns swapped so that a long-edge duplex print puts each back behind
its front) and single cards (a CR80 page per side, for card printers). WeasyPrint writes the PDF
with Debian's Thai fonts. Every print is audited: who, how many cards, which members (one member's
code, or the segment's conditions).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.dates import shop_date
from sasom.core.permissions import branch_ids_in_scope
from sasom.members.models import Card, Member
from sasom.segments.builder import segment_members
from sasom.tiers.models import MemberTier

CARD_WIDTH_MM, CARD_HEIGHT_MM = 85.6, 53.98  # ISO/IEC 7810 ID-1 (CR80)
SHEET_COLUMNS, SHEET_ROWS = 2, 5
SHEET_LEFT_MM = round((210 - SHEET_COLUMNS * CARD_WIDTH_MM) / 2, 2)
SHEET_TOP_MM = round((297 - SHEET_ROWS * CARD_HEIGHT_MM) / 2, 2)
PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
INLINE_CARDS = 200  # more than this are written by the task worker
MAX_CARDS = 2000  # 200 sheets in one PDF; a bigger mailing is printed in parts (narrow the segment)
CHUNK = 500
EXPORT_SLUG = "member-cards"  # a big print's ReportExport

LAYOUTS = {"sheet": _("A4 card sheets (10 a sheet, with cut marks)"),
           "single": _("Single cards (one CR80 page a side, for a card printer)")}
SYMBOLS = {"barcode": _("Barcode (Code 128)"), "qr": _("QR code")}


@dataclass(frozen=True)
class PrintedCard:
    name: str
    code: str
    number: str  # what the barcode or QR holds: the active card's number, else the member code
    card_number: str  # "" when the member has no active card
    kind: str  # the tier's name, else the member type's
    expires: str
    symbol: str  # a data URI of the SVG


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def symbol_svg(number: str, symbol: str) -> str:
    """A Code 128 barcode or a QR code of ``number`` as a data URI (no text inside the picture)."""
    if symbol == "qr":
        import segno  # noqa: PLC0415 - only a card print needs it

        return str(segno.make(number, error="m").svg_data_uri(scale=4, border=2))
    from barcode import Code128  # noqa: PLC0415 - only a card print needs it
    from barcode.writer import SVGWriter  # noqa: PLC0415

    out = io.BytesIO()
    Code128(number, writer=SVGWriter()).write(out, options={
        "write_text": False, "module_height": 12.0, "module_width": 0.3, "quiet_zone": 2.0})
    return _data_uri(out.getvalue())


def active_numbers(member_ids: list[int]) -> dict[int, str]:
    """Each member's active card number (the newest issued, when there are several)."""
    numbers: dict[int, str] = {}
    for member_id, number in (Card.objects.filter(member_id__in=member_ids, status=Card.Status.ACTIVE)
                              .order_by("member_id", "issued_on", "id").values_list("member_id", "number")):
        numbers[member_id] = number
    return numbers


def tier_names(member_ids: list[int]) -> dict[int, str]:
    return dict(MemberTier.objects.filter(member_id__in=member_ids, tier__isnull=False)
                .values_list("member_id", "tier__name"))


def printed_cards(members: Iterable[Member], organization: Any, symbol: str) -> list[PrintedCard]:
    """The cards of one chunk of members (three queries whatever their number)."""
    chunk = list(members)
    ids = [m.pk for m in chunk]
    numbers, tiers = active_numbers(ids), tier_names(ids)
    language = translation.get_language() or ""
    out = []
    for m in chunk:
        card_number = numbers.get(m.pk, "")
        number = card_number or m.code
        out.append(PrintedCard(
            name=m.full_name or m.code, code=m.code, number=number, card_number=card_number,
            kind=tiers.get(m.pk) or m.member_type.name,
            expires=shop_date(m.expires_on, organization, language=language) if m.expires_on else "",
            symbol=symbol_svg(number, symbol)))
    return out


def cards_of(members: Any, organization: Any, symbol: str,
             progress: Callable[[int], None] | None = None) -> list[PrintedCard]:
    """Every member's card (at most ``MAX_CARDS``), by member code, a chunk of members at a time."""
    cards: list[PrintedCard] = []
    batch: list[Member] = []
    ordered = members.select_related("member_type").order_by("code")[:MAX_CARDS]
    for member in ordered.iterator(chunk_size=CHUNK):
        batch.append(member)
        if len(batch) == CHUNK:
            cards += printed_cards(batch, organization, symbol)
            batch = []
            if progress:
                progress(len(cards))
    cards += printed_cards(batch, organization, symbol)
    if progress:
        progress(len(cards))
    return cards


def card_members(*, staff: Any, conditions: list[dict[str, Any]], code: str = "") -> Any:
    """The members to print: one by code, or the segment's; a branch manager's only those whose
    home branch is theirs."""
    if code:
        members = Member.objects.filter(organization_id=staff.organization_id, code=code,
                                        anonymized_at__isnull=True).exclude(status=Member.Status.ANONYMIZED)
    else:
        members = segment_members(organization_id=staff.organization_id, conditions=conditions)
    scope = branch_ids_in_scope(staff)
    return members if scope is None else members.filter(home_branch_id__in=scope)


def sheets_of(cards: list[PrintedCard]) -> list[dict[str, Any]]:
    """The A4 sheets: each card's place on the front (row by row) and on the back (the columns
    swapped, as a long-edge duplex print turns the sheet)."""
    sheets: list[dict[str, Any]] = []
    for n, card in enumerate(cards):
        index, place = divmod(n, PER_SHEET)
        if index == len(sheets):
            sheets.append({"fronts": [], "backs": []})
        row, column = divmod(place, SHEET_COLUMNS)
        top = round(SHEET_TOP_MM + row * CARD_HEIGHT_MM, 2)
        sheets[index]["fronts"].append({"card": card, "top": top,
                                        "left": round(SHEET_LEFT_MM + column * CARD_WIDTH_MM, 2)})
        sheets[index]["backs"].append({"card": card, "top": top, "left": round(
            SHEET_LEFT_MM + (SHEET_COLUMNS - 1 - column) * CARD_WIDTH_MM, 2)})
    return sheets


def cut_marks() -> list[dict[str, float]]:
    """The cut marks of a sheet (mm from its top-left corner): a short line in the margins on
    every edge between cards, outside the cards themselves."""
    xs = [round(SHEET_LEFT_MM + i * CARD_WIDTH_MM, 2) for i in range(SHEET_COLUMNS + 1)]
    ys = [round(SHEET_TOP_MM + i * CARD_HEIGHT_MM, 2) for i in range(SHEET_ROWS + 1)]
    bottom, right, gap, line = ys[-1], xs[-1], 1.5, 0.2
    marks = []
    for x in xs:
        marks.append({"left": x, "top": 1.0, "width": line, "height": round(SHEET_TOP_MM - 1 - gap, 2)})
        marks.append({"left": x, "top": round(bottom + gap, 2), "width": line, "height": round(SHEET_TOP_MM - 1 - gap, 2)})
    for y in ys:
        marks.append({"left": 1.0, "top": y, "width": round(SHEET_LEFT_MM - 1 - gap, 2), "height": line})
        marks.append({"left": round(right + gap, 2), "top": y, "width": round(SHEET_LEFT_MM - 1 - gap, 2), "height": line})
    return marks


def cards_pdf(cards: list[PrintedCard], *, organization: Any, layout: str, logo: str = "") -> bytes:
    """The PDF: two pages (front, back) a card, or two A4 pages a sheet of ten."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads pango; only a PDF needs it

    html = render_to_string("reports/pdf/cards.html", {
        "organization": organization, "cards": cards, "layout": layout, "logo": logo,
        "sheets": sheets_of(cards) if layout == "sheet" else [], "marks": cut_marks(),
        "width": CARD_WIDTH_MM, "height": CARD_HEIGHT_MM})
    return bytes(HTML(string=html).render().write_pdf())


def organization_logo(organization: Any) -> str:
    """The shop's logo (``Organization.logo``, re-encoded on upload as JPEG or PNG) as a data URL
    WeasyPrint embeds, read once a print; empty when it has none or the file is gone."""
    logo = getattr(organization, "logo", None)
    if not logo:
        return ""
    kind = "image/png" if logo.name.lower().endswith(".png") else "image/jpeg"
    try:
        with logo.open("rb") as opened:
            data = opened.read()
    except (OSError, ValueError):
        return ""
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


def cards_print_record(*, organization: Any, actor: Actor, count: int, layout: str, symbol: str,
                       member: Member | None = None, conditions: list[dict[str, Any]] | None = None) -> None:
    """Audit a print: who (the actor), how many cards, and which members: one member's code and
    card number, or the segment's conditions (never names)."""
    changes: dict[str, Any] = {"printed": [None, count], "layout": [None, layout], "symbol": [None, symbol]}
    if member is not None:
        numbers = active_numbers([member.pk])
        changes["member"] = [None, member.code]
        changes["card_number"] = [None, numbers.get(member.pk, "")]
    else:
        changes["segment"] = [None, conditions or []]
    audit_record(organization_id=organization.pk, actor=actor, action="cards.print",
                 obj=member if member is not None else organization,
                 object_repr=member.code if member is not None else str(_("Segment")), changes=changes)


def cards_filename(organization: Any, label: str) -> str:
    return f"cards-{organization.code}-{label}-{timezone.now():%Y%m%d-%H%M}.pdf"
