"""Schemas of the rewards API (see :mod:`sasom.rewards.api`).

Every string and list is bounded and refuses NUL, every number is bounded to what the columns
hold, so any schema-valid input reaches the services and gets an answer, never a crash. Money is a
decimal string, points are integers, date-times ISO 8601 with an offset (the server's zone).

Shared field types and helpers live in :mod:`.common`; the schemas, by concern, in
:mod:`.redemptions`, :mod:`.coupons`, :mod:`.points_discount` and :mod:`.catalog`. Import them
from here.
"""

from .catalog import (
    BranchStockOut,
    CouponTemplateIn,
    CouponTemplateList,
    CouponTemplateOut,
    CouponTemplatePatch,
    Page,
    RewardIn,
    RewardList,
    RewardOut,
    RewardPatch,
    StockIn,
    StockOut,
)
from .common import (
    COUNT_MAX,
    MONEY,
    NO_NUL,
    PERCENT,
    POINTS_MAX,
    Body,
    BranchCode,
    Code,
    Codes,
    Day,
    MemberRef,
    Money,
    Percent,
    Points,
    ReasonIn,
    Text,
    local,
    money,
    money_or_none,
)
from .coupons import BillLineIn, CouponIssueIn, CouponOut, CouponUseIn
from .points_discount import (
    DiscountRuleIn,
    DiscountRuleOut,
    DiscountRulesIn,
    DiscountRulesOut,
    QuoteIn,
    QuoteOut,
)
from .redemptions import (
    BranchQuery,
    MemberRewardsOut,
    PurchaseOut,
    RedeemIn,
    RedemptionOut,
    RewardOptionOut,
)

__all__ = [
    "COUNT_MAX",
    "MONEY",
    "NO_NUL",
    "PERCENT",
    "POINTS_MAX",
    "BillLineIn",
    "Body",
    "BranchCode",
    "BranchQuery",
    "BranchStockOut",
    "Code",
    "Codes",
    "CouponIssueIn",
    "CouponOut",
    "CouponTemplateIn",
    "CouponTemplateList",
    "CouponTemplateOut",
    "CouponTemplatePatch",
    "CouponUseIn",
    "Day",
    "DiscountRuleIn",
    "DiscountRuleOut",
    "DiscountRulesIn",
    "DiscountRulesOut",
    "MemberRef",
    "MemberRewardsOut",
    "Money",
    "Page",
    "Percent",
    "Points",
    "PurchaseOut",
    "QuoteIn",
    "QuoteOut",
    "ReasonIn",
    "RedeemIn",
    "RedemptionOut",
    "RewardIn",
    "RewardList",
    "RewardOptionOut",
    "RewardOut",
    "RewardPatch",
    "StockIn",
    "StockOut",
    "Text",
    "local",
    "money",
    "money_or_none",
]
