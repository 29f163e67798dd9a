"""Rewards services (writes). Import from here."""

from ..pricing import points_discount_quote
from .catalog import (
    coupon_template_save,
    points_discount_rule_save,
    reward_save,
    reward_settings_save,
    reward_stock_adjust,
)
from .coupons import (
    BillLine,
    coupon_cancel,
    coupon_get,
    coupon_issue,
    coupon_use,
)
from .coupons_bulk import BulkPreview, bulk_recipients, coupons_bulk_issue, coupons_bulk_preview
from .discount import bill_amount_of, points_discount_quote_for
from .redeem import (
    ensure_branch_allowed,
    points_purchase,
    points_purchase_void,
    points_purchase_void_for_payment,
    redemption_cancel,
    reward_check,
    reward_redeem,
)

__all__ = [
    "BillLine", "BulkPreview", "bill_amount_of", "bulk_recipients", "coupon_cancel", "coupon_get",
    "coupon_issue", "coupon_template_save", "coupon_use", "coupons_bulk_issue", "coupons_bulk_preview",
    "ensure_branch_allowed", "points_discount_quote", "points_discount_quote_for",
    "points_discount_rule_save", "points_purchase", "points_purchase_void", "points_purchase_void_for_payment",
    "redemption_cancel", "reward_check", "reward_redeem", "reward_save", "reward_settings_save",
    "reward_stock_adjust",
]
