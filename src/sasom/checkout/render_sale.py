"""The commit's answer as bytes, from plain values (the hot path of ``POST /api/v1/sales``).

:func:`sasom.checkout.render.sale_out` builds a validated :class:`SaleOut` (about 40 pydantic
objects for a 10-line basket) which django-ninja's encoder then walks, calling its ``default()``
about 90 times per sale for the ``Decimal`` and date values. A sale just committed needs neither:
every value is already of its field's type (the plan rounded the money, the engine gave integer
points). :func:`sale_answer_json` writes the same document with plain dicts, money as the
``str()`` of its ``Decimal`` (what ``DjangoJSONEncoder`` writes) and dates in ISO form, through
the C encoder without a ``default()``: the same bytes as ``json.dumps(sale_out(...).model_dump(),
cls=NinjaJSONEncoder)`` (``checkout/tests/test_render_sale.py`` compares both on promoted,
plain and member-less sales). Stored sales (a read, a void, a replay) keep :func:`sale_out`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils.translation import get_language

from sasom.checkout import receipts
from sasom.checkout.payments import CouponUsed
from sasom.checkout.pricing import campaign_discount
from sasom.checkout.promo import GIFT_SOURCE
from sasom.checkout.promo_texts import _STORED as STORED
from sasom.checkout.promo_texts import TextReader, api_texts, reason_shown
from sasom.checkout.render import quantity_out
from sasom.core.currency import Currency, currency_of
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.api_schemas import BalanceOut, ExpiryOut
from sasom.ledger.models import Sale
from sasom.ledger.plan import LineRow, line_rows, rounded
from sasom.ledger.plan_member import MemberValues
from sasom.ledger.plan_promotions import SNAPSHOT
from sasom.ledger.selectors import Balance
from sasom.ledger.tier_card import tier_after_sale_of
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.promotions.engine.kinds._common import (
    _SHOWN_IN,  # the unit texts are shown in (texts_shown_in)
)

_ZERO = Decimal("0")


# per (language, display unit): its reader (translations looked up once) and the stored reasons
# it showed lately (bounded)
_SHOWN: dict[tuple[str | None, Currency | None], tuple[TextReader, dict[str, str]]] = {}


def _steps(pricing: list[list[Any]] | tuple[tuple[int, str, str, str], ...]) -> dict[int, list[dict[str, Any]]]:
    """The price steps of each line (``render.steps_out`` as plain values), by line number. A
    stored reason (``promo_texts.reason_shown``: a promotion's, the catalog's) is made once per
    process for the language and display unit it is shown in (the same data reads the same
    there; bounded)."""
    out: dict[int, list[dict[str, Any]]] = {}
    here: tuple[TextReader, dict[str, str]] | None = None
    for no, kind, amount, reason in pricing:
        if kind == SNAPSHOT:
            continue
        shown = reason
        if reason.startswith(STORED):
            if here is None:
                where = (get_language(), _SHOWN_IN.get())
                here = _SHOWN.get(where) or _SHOWN.setdefault(where, (TextReader(), {}))
            shown = here[1].get(reason) or ""
            if not shown:
                if len(here[1]) >= 4096:
                    here[1].clear()
                shown = here[1][reason] = reason_shown(reason, here[0])
        out.setdefault(no, []).append(
            {"kind": kind, "amount": str(Decimal(amount)) if amount else None, "reason": shown})
    return out


def _lines(basket: engine.Basket, rows: tuple[LineRow, ...]) -> list[dict[str, Any]]:
    steps = _steps(basket.pricing) if basket.pricing else {}
    return [
        {"line_no": ln.line_no, "sku": ln.sku, "quantity": str(quantity_out(ln.quantity)),
         "list_price": str(ln.unit_price if ln.list_price is None else ln.list_price),
         "unit_price": str(ln.unit_price), "price_source": ln.price_source, "price_flag": ln.price_flag,
         "discount": str(ln.discount), "member_discount": str(ln.member_discount),
         "promotion_discount": str(ln.promotion_discount), "promotions": ln.promotions.split(),
         "gift": ln.price_source == GIFT_SOURCE, "net": str(ln.net), "earns_points": not ln.excluded_from_points,
         "steps": steps.get(ln.line_no, [])}
        for ln in rows
    ]


def _awards(awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ledger.api_schemas.awards_out`` (the member's awards) as plain values."""
    return [
        {"rule": a.get("rule_code", ""), "rule_name": a.get("rule_name", ""), "kind": a.get("kind", ""),
         "points": int(a.get("points", 0)), "explanation": a.get("explanation", ""),
         "beneficiary": a.get("beneficiary", "member")}
        for a in awards if a.get("beneficiary", "member") == "member"
    ]


def sale_answer_json(sale: Sale, member: Member | MemberValues | None, *, awards: list[dict[str, Any]],
                     coupons: list[CouponUsed], organization: Organization, balance: Balance | None,
                     basket: engine.Basket, lines: tuple[LineRow, ...] = ()) -> str:
    """The answer to a sale just committed (not a replay): ``sale`` as posted, ``balance`` the
    member's balance as the post left it (required with a member), ``basket`` as posted,
    ``lines`` the plan's lines when known (rounded to the currency's minor unit, as
    ``render.sale_out`` shows them and the sale stores them)."""
    currency = currency_of(organization)
    rows = lines or line_rows(basket, currency.places)[0]
    explanation = sale.explanation or {}
    paid_otherwise = money((sale.points_discount or _ZERO) + (sale.coupon_discount or _ZERO))
    campaign = campaign_discount(Decimal(explanation.get("extra_discount") or "0"), sale.net - paid_otherwise)
    member_awards = _awards(awards)
    balance_json: dict[str, Any] | None = None
    balance_obj: BalanceOut | None = None
    if member is not None:
        assert balance is not None
        # the ledger's own integers and date: built without validating them again (model_construct)
        expiry = ExpiryOut.model_construct(on=balance.next_expiry_on, points=balance.next_expiry_points) \
            if balance.next_expiry_on else None
        balance_obj = BalanceOut.model_construct(spendable=balance.spendable, pending=balance.pending,
                                                 lifetime_earned=balance.lifetime_earned, debt=balance.debt,
                                                 next_expiry=expiry)
        balance_json = {
            "spendable": balance.spendable, "pending": balance.pending, "lifetime_earned": balance.lifetime_earned,
            "debt": balance.debt,
            "next_expiry": None if expiry is None else {"on": expiry.on.isoformat(), "points": expiry.points},
        }
    with api_texts(currency):  # the promotions' reasons in the shop's display unit, as render.sale_out
        lines_json = _lines(basket, rows)
    text = receipts.receipt_text(
        organization=organization, sale=sale, member=member,
        awards=[SimpleNamespace(**a) for a in member_awards], balance=balance_obj,
        campaign_discount=campaign,
        tier=tier_after_sale_of(organization_id=sale.organization_id, member_id=member.pk, sale_id=sale.pk)
        if member is not None else None,
    )
    answer = {
        "receipt_id": sale.receipt_id,
        "branch": sale.branch.code,
        "terminal": sale.terminal.code,
        "status": str(sale.status),
        "member": member.code if member else None,
        "points_earned": sale.points_earned,
        "no_points": explanation.get("no_points") if member is not None else None,
        "points_used": sale.points_used,
        "awards": member_awards,
        "discount_applied": str(paid_otherwise + campaign),
        "campaign_discount": str(campaign),
        "donation": str(rounded(sale.donation)),
        "coupons": [{"code": c.code, "kind": c.kind, "amount": str(c.amount)} for c in coupons],
        "net": str(rounded(sale.net)),
        "eligible_net": str(rounded(sale.eligible_net)),
        "member_discount": str(rounded(sale.member_discount)),
        "price_flagged": sale.price_flagged,
        "lines": lines_json,
        "balance": balance_json,
        "receipt_text": text,
        "replayed": False,
    }
    return json.dumps(answer)
