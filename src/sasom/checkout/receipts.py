"""The text block a POS prints at the foot of a receipt: the member discount, points earned and
why, the balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sasom.checkout.promo import snapshot_in
from sasom.core.dates import shop_date
from sasom.ledger.plan_promotions import PROMOTION_NOTE

# Why a member earned nothing (``EarnResult.no_points``), as the receipt says it.
NO_POINTS = {
    "type_does_not_earn": "ประเภทสมาชิกนี้ไม่สะสมแต้ม / This member type earns no points",
    "card_expired": "บัตรหมดอายุ / The card has expired",
    "nothing_eligible": "ไม่มีสินค้าที่ได้แต้ม / No item earns points",
    "below_first_point": "ยอดไม่ถึงแต้มแรก / Below the first point",
    "no_rule": "ไม่มีกติกาที่ใช้ได้ / No earning rule applies",
}


def _fmt(points: int) -> str:
    return f"{points:,}"


def _wrapped(text: str, width: int) -> list[str]:
    """Thai and English halves on lines of their own when the whole is too wide."""
    if len(text) + 2 <= width:
        return [f"  {text}"]
    return [f"  {part.strip()}"[:width] for part in text.split(" / ")]


def tier_lines(card: Any, width: int = 40) -> list[str]:
    """The member's tier and what the next one asks for ("320 more points to Gold")."""
    if card is None:
        return []
    lines = []
    if card.name:
        lines.append(f"ระดับ / Tier: {card.name}"[:width])
    if card.next_name and card.missing:
        unit_th, unit_en = ("บาท", "THB") if card.basis == "spend" else ("แต้ม", "points")
        lines.extend(_wrapped(f"อีก {_fmt(card.missing)} {unit_th} ถึง {card.next_name} / "
                              f"{_fmt(card.missing)} more {unit_en} to {card.next_name}", width))
    return lines


def promotion_lines(sale: Any, width: int = 40) -> list[str]:
    """Each POS promotion of the sale with its discount ("ซื้อ 2 แถม 1 -20.00"), the gifts it
    added and its message on the bill, from the sale's explanation (no query)."""
    explanation = sale.explanation if isinstance(getattr(sale, "explanation", None), dict) else {}
    snapshot = snapshot_in(explanation.get("pricing", []))
    if snapshot is None:
        return []
    amounts: dict[str, Decimal] = {}
    for _no, kind, amount, _reason in explanation.get("pricing", []):
        if kind.startswith(PROMOTION_NOTE) and amount:
            code = kind[len(PROMOTION_NOTE):]
            amounts[code] = amounts.get(code, Decimal("0")) + Decimal(amount)
    out = ["โปรโมชั่น / Promotions"]
    for row in snapshot.get("promotions", []):
        off = f" -{amounts.get(row['code'], Decimal('0')):,.2f}"
        out.append(f"{row['name'][:width - len(off)]}{off}")
    for _no, sku, quantity in snapshot.get("gifts", []):
        out.append(f"  ของแถม / Gift: {quantity} x {sku}"[:width])
    out.extend(f"  {row['message']}"[:width] for row in snapshot.get("promotions", []) if row.get("message"))
    return out


def receipt_text(*, organization: Any, sale: Any, member: Any, awards: list[Any], balance: Any,
                 campaign_discount: Decimal = Decimal("0"), width: int = 40, tier: Any = None) -> str:
    """Bilingual (Thai / English) lines no wider than ``width`` characters for a receipt printer;
    dates as the organization shows them in Thai (its calendar setting); ``tier`` is the member's
    tier card (``ledger.tier_card``), None without a ladder."""
    rule = "-" * width
    lines = [rule, organization.name[:width], *promotion_lines(sale, width)]
    if member is None:
        lines.append("ไม่ใช่สมาชิก / Not a member")
        if sale.donation:
            lines.append(f"บริจาค / Donation: {sale.donation:,.2f}"[:width])
        lines.append(rule)
        return "\n".join(lines)
    lines.append(f"สมาชิก / Member: {member.code}"[:width])
    if sale.member_discount:
        lines.append(f"ส่วนลดสมาชิก / Member discount: {sale.member_discount:,.2f}"[:width])
    if campaign_discount:
        lines.append(f"ส่วนลดแคมเปญ / Campaign discount: {campaign_discount:,.2f}"[:width])
    lines.append(f"แต้มที่ได้ / Points earned: {_fmt(sale.points_earned)}"[:width])
    reason = (sale.explanation or {}).get("no_points", "") if not sale.points_earned else ""
    if reason in NO_POINTS:
        lines.extend(_wrapped(NO_POINTS[reason], width))
    for award in awards:
        lines.append(f"  +{_fmt(award.points)} {award.rule_name or award.rule}"[:width])
    if sale.points_used:
        lines.append(f"แต้มที่ใช้ / Points used: {_fmt(sale.points_used)}"[:width])
    if balance is not None:
        lines.append(f"แต้มคงเหลือ / Balance: {_fmt(balance.spendable)}"[:width])
        if balance.pending:
            lines.append(f"รอใช้ได้ / Pending: {_fmt(balance.pending)}"[:width])
        if balance.next_expiry is not None:
            lines.append(
                f"หมดอายุ / Expire {shop_date(balance.next_expiry.on, organization, language='th')}: "
                f"{_fmt(balance.next_expiry.points)}"[:width]
            )
    lines.extend(tier_lines(tier, width))
    lines.append(rule)
    return "\n".join(lines)
