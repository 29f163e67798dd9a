"""The text block a POS prints at the foot of a receipt: the member discount, points earned and
why, the balance.

Each label is printed in the organization's language followed by its English ("แต้มที่ได้ /
Points earned", "امتیاز کسب‌شده / Points earned"), as Thai receipts are; a shop working in
English prints English once. The labels are the checkout catalogues' messages of context
``receipt``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from sasom.checkout.promo import snapshot_in
from sasom.core.currency import currency_of, shop_money, unit_label
from sasom.core.dates import shop_date
from sasom.ledger.plan_promotions import PROMOTION_NOTE

# Why a member earned nothing (``EarnResult.no_points``), as the receipt says it.
NO_POINTS = {
    "type_does_not_earn": pgettext_lazy("receipt", "This member type earns no points"),
    "card_expired": pgettext_lazy("receipt", "The card has expired"),
    "nothing_eligible": pgettext_lazy("receipt", "No item earns points"),
    "below_first_point": pgettext_lazy("receipt", "Below the first point"),
    "no_rule": pgettext_lazy("receipt", "No earning rule applies"),
}
LABEL = {
    "tier": pgettext_lazy("receipt", "Tier"),
    "to_next": pgettext_lazy("receipt", "%(n)s more %(unit)s to %(tier)s"),
    "points": pgettext_lazy("receipt", "points"),
    "promotions": pgettext_lazy("receipt", "Promotions"),
    "gift": pgettext_lazy("receipt", "Gift"),
    "not_member": pgettext_lazy("receipt", "Not a member"),
    "donation": pgettext_lazy("receipt", "Donation"),
    "member": pgettext_lazy("receipt", "Member"),
    "member_discount": pgettext_lazy("receipt", "Member discount"),
    "campaign_discount": pgettext_lazy("receipt", "Campaign discount"),
    "earned": pgettext_lazy("receipt", "Points earned"),
    "used": pgettext_lazy("receipt", "Points used"),
    "balance": pgettext_lazy("receipt", "Balance"),
    "pending": pgettext_lazy("receipt", "Pending"),
    "expire": pgettext_lazy("receipt", "Expire"),
}


_LABELS: dict[tuple[str, int], tuple[Promise, str]] = {}


class Words:
    """The receipt's labels in the organization's language, each followed by its English."""

    def __init__(self, organization: Any) -> None:
        self.language = (getattr(organization, "language", "") or "th").split("-")[0]
        self.organization = organization

    def money(self, value: Decimal) -> str:
        """An amount as the shop shows it (``core.currency.shop_money``): its currency's decimals, in
        toman for a toman shop, Persian digits when the shop's language is Persian and it asks for them."""
        return shop_money(value, self.organization, language=self.language)

    def _in(self, language: str, message: Promise, values: dict[str, Any]) -> str:
        """``message`` in ``language``, its values too (a value may be a label: "points"). A label
        is translated once per language and process (the catalogs do not change while it runs;
        ``translation.override`` twice per label was a tenth of a sale's answer), a label with
        values too: its template, then the values put in (a value that is a label the same way)."""
        known = _LABELS.get((language, id(message)))
        if known is not None and known[0] is message:  # the very object: an id is never reused while it is kept
            text = known[1]
        else:
            with translation.override(language):
                text = str(message)
            _LABELS[(language, id(message))] = (message, text)
        if not values:
            return text
        return text % {k: self._in(language, v, {}) if isinstance(v, Promise) else str(v) for k, v in values.items()}

    def __call__(self, message: Promise, **values: Any) -> str:
        english = self._in("en", message, values)
        if self.language == "en":
            return english
        local = self._in(self.language, message, values)
        return english if local == english else f"{local} / {english}"


def _fmt(points: int) -> str:
    return f"{points:,}"


def _wrapped(text: str, width: int) -> list[str]:
    """Thai and English halves on lines of their own when the whole is too wide."""
    if len(text) + 2 <= width:
        return [f"  {text}"]
    return [f"  {part.strip()}"[:width] for part in text.split(" / ")]


def tier_lines(card: Any, width: int = 40, words: Words | None = None) -> list[str]:
    """The member's tier and what the next one asks for ("320 more points to Gold")."""
    if card is None:
        return []
    w = words or Words(None)
    lines = []
    if card.name:
        lines.append(f"{w(LABEL['tier'])}: {card.name}"[:width])
    if card.next_name and card.missing:
        if card.basis == "spend":  # an amount in the shop's display unit (toman for a toman shop)
            unit: Any = unit_label(currency_of(w.organization))
            missing = w.money(Decimal(card.missing))
        else:
            unit, missing = LABEL["points"], _fmt(card.missing)
        lines.extend(_wrapped(w(LABEL["to_next"], n=missing, unit=unit, tier=card.next_name), width))
    return lines


def promotion_lines(sale: Any, width: int = 40, words: Words | None = None) -> list[str]:
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
    rows = snapshot.get("promotions", [])
    if "uses" in snapshot:  # a promotion that gave nothing (a choice not taken) counted no use: not printed
        counted = {use[0] for use in snapshot["uses"]}
        rows = [row for row in rows if row.get("pk") in counted]
    if not rows and not snapshot.get("gifts"):
        return []
    w = words or Words(None)
    out = [w(LABEL["promotions"])]
    for row in rows:
        off = f" -{w.money(amounts.get(row['code'], Decimal('0')))}"
        out.append(f"{row['name'][:width - len(off)]}{off}")
    for _no, sku, quantity in snapshot.get("gifts", []):
        out.append(f"  {w(LABEL['gift'])}: {quantity} x {sku}"[:width])
    out.extend(f"  {row['message']}"[:width] for row in rows if row.get("message"))
    return out


def receipt_text(*, organization: Any, sale: Any, member: Any, awards: list[Any], balance: Any,
                 campaign_discount: Decimal = Decimal("0"), width: int = 40, tier: Any = None) -> str:
    """Bilingual (the organization's language / English) lines no wider than ``width`` characters
    for a receipt printer; dates as the organization shows them in its language (its calendar
    setting); ``tier`` is the member's tier card (``ledger.tier_card``), None without a ladder."""
    w = Words(organization)
    rule = "-" * width
    lines = [rule, organization.name[:width], *promotion_lines(sale, width, w)]
    if member is None:
        lines.append(w(LABEL["not_member"]))
        if sale.donation:
            lines.append(f"{w(LABEL['donation'])}: {w.money(sale.donation)}"[:width])
        lines.append(rule)
        return "\n".join(lines)
    lines.append(f"{w(LABEL['member'])}: {member.code}"[:width])
    if sale.member_discount:
        lines.append(f"{w(LABEL['member_discount'])}: {w.money(sale.member_discount)}"[:width])
    if campaign_discount:
        lines.append(f"{w(LABEL['campaign_discount'])}: {w.money(campaign_discount)}"[:width])
    lines.append(f"{w(LABEL['earned'])}: {_fmt(sale.points_earned)}"[:width])
    reason = (sale.explanation or {}).get("no_points", "") if not sale.points_earned else ""
    if reason in NO_POINTS:
        lines.extend(_wrapped(w(NO_POINTS[reason]), width))
    for award in awards:
        lines.append(f"  +{_fmt(award.points)} {award.rule_name or award.rule}"[:width])
    if sale.points_used:
        lines.append(f"{w(LABEL['used'])}: {_fmt(sale.points_used)}"[:width])
    if balance is not None:
        lines.append(f"{w(LABEL['balance'])}: {_fmt(balance.spendable)}"[:width])
        if balance.pending:
            lines.append(f"{w(LABEL['pending'])}: {_fmt(balance.pending)}"[:width])
        if balance.next_expiry is not None:
            day = shop_date(balance.next_expiry.on, organization, language=w.language)
            lines.append(f"{w(LABEL['expire'])} {day}: {_fmt(balance.next_expiry.points)}"[:width])
    lines.extend(tier_lines(tier, width, w))
    lines.append(rule)
    return "\n".join(lines)
