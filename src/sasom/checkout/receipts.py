"""The text block a POS prints at the foot of a receipt: the member discount, points earned and
why, the balance."""

from __future__ import annotations

from typing import Any


def _fmt(points: int) -> str:
    return f"{points:,}"


def receipt_text(*, organization: Any, sale: Any, member: Any, awards: list[Any], balance: Any, width: int = 40) -> str:
    """Bilingual (Thai / English) lines no wider than ``width`` characters for a receipt printer."""
    rule = "-" * width
    lines = [rule, organization.name[:width]]
    if member is None:
        lines += ["ไม่ใช่สมาชิก / Not a member", rule]
        return "\n".join(lines)
    lines.append(f"สมาชิก / Member: {member.code}"[:width])
    if sale.member_discount:
        lines.append(f"ส่วนลดสมาชิก / Member discount: {sale.member_discount:,.2f}"[:width])
    lines.append(f"แต้มที่ได้ / Points earned: {_fmt(sale.points_earned)}"[:width])
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
                f"หมดอายุ / Expire {balance.next_expiry.on:%d/%m/%Y}: {_fmt(balance.next_expiry.points)}"[:width]
            )
    lines.append(rule)
    return "\n".join(lines)
