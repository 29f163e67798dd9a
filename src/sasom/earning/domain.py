"""The engine's inputs and outputs: plain frozen dataclasses, no ORM (the ledger contract).

Import them from :mod:`sasom.earning.engine`; they live here so rule classes can use them without an
import cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

# The documents a sale may be (one list for the API, the batches and the rules' conditions).
DocumentType = Literal["retail_receipt", "wholesale_delivery", "project_delivery", "tax_invoice", "credit_sale"]
DOCUMENT_TYPES: tuple[str, ...] = get_args(DocumentType)


class Beneficiary:
    MEMBER = "member"
    REFERRER = "referrer"


@dataclass(frozen=True, slots=True)
class BasketLine:
    line_no: int
    sku: str
    quantity: Decimal  # may be fractional (kg)
    unit_price: Decimal  # VAT-inclusive retail price
    discount: Decimal = Decimal("0")  # line discount, money (member discounts included)
    category: str = ""
    brand: str = ""
    # How the till priced the line (checkout.pricing); the engine reads only ``excluded_from_points``.
    list_price: Decimal | None = None  # the price before a member price; None: not priced by Sasom
    price_source: str = ""
    price_flag: str = ""  # "differs": the POS's price is not the table's; "open": not in the catalog
    member_discount: Decimal = Decimal("0")  # member and birthday discounts, part of ``discount``
    excluded_from_points: bool = False  # the product earns no points


@dataclass(frozen=True, slots=True)
class Basket:
    occurred_at: dt.datetime  # aware
    lines: tuple[BasketLine, ...]
    branch_code: str = ""
    terminal_code: str = ""
    salesperson: str = ""
    document_type: str = "retail_receipt"
    bill_discount: Decimal = Decimal("0")  # prorated over lines by amount (DOMAIN.md 2)
    points_discount: Decimal = Decimal("0")  # money paid with points; reduces the base like a discount
    coupon_discount: Decimal = Decimal("0")  # discount coupons reduce the base; cash coupons do not
    bag_declined: bool = False
    campaign_plan: str = ""  # plan chosen on the document ("" = default)
    # The hash of the lines as the POS sent them when the till priced them differently: a replay
    # is compared on what was sent, not on today's prices (ledger.plan.body_hash).
    sent_lines_hash: str = ""
    # What the till did and why, stored in the sale's explanation: (line_no, 0 for the bill; kind;
    # amount or ""; English sentence), e.g. (2, "member_discount", "9.90", "VIP 10% of 99.00").
    pricing: tuple[tuple[int, str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MemberContext:
    member_id: int | None  # None = non-member (only donation-type campaign effects apply)
    member_type: str = ""  # MemberType.code
    tier: str = ""
    birth_on: dt.date | None = None
    card_expired: bool = False
    can_earn: bool = True  # MemberType.can_earn
    is_first_purchase: bool = False
    referred_by_member_id: int | None = None


@dataclass(frozen=True, slots=True)
class Award:
    rule_id: int | None
    rule_code: str
    rule_name: str
    kind: str
    points: int  # > 0
    base_amount: Decimal  # the money the award was computed on
    explanation: str  # English sentence, e.g. "4,000.00 THB ÷ 100 × 1 = 40 pts"
    multiplier: Decimal | None = None
    extra: int | None = None
    beneficiary: str = Beneficiary.MEMBER
    line_nos: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class EarnResult:
    awards: tuple[Award, ...]
    eligible_net: Decimal  # base after exclusions and discounts (DOMAIN.md 2)
    donation: Decimal = Decimal("0")  # non-member declined-bag donation (campaign)
    extra_discount: Decimal = Decimal("0")  # campaign extra discount amount
    campaigns: tuple[str, ...] = ()  # codes of the campaigns chosen for the bill (at most two)
    donation_campaigns: tuple[str, ...] = ()  # codes of those whose fund ``donation`` goes to
    # Why the member earned nothing ("" when they earned): not_member, type_does_not_earn,
    # card_expired, nothing_eligible (every line excluded or discounted away), below_first_point
    # (the base rate gives less than one point), no_rule (no rule applies to this bill).
    no_points: str = ""

    @property
    def member_points(self) -> int:
        return sum(a.points for a in self.awards if a.beneficiary == Beneficiary.MEMBER)

    @property
    def referrer_points(self) -> int:
        return sum(a.points for a in self.awards if a.beneficiary == Beneficiary.REFERRER)
