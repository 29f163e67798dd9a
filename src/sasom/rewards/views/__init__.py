from .counter import (
    cancel,
    counter,
    coupon_cancel_view,
    coupon_issue_view,
    coupon_print,
    slip,
    today,
)
from .setup import (
    catalog,
    coupon_bulk,
    coupon_edit,
    coupons,
    points_settings,
    reward_edit,
    reward_stock,
)

__all__ = [
    "cancel", "catalog", "counter", "coupon_bulk", "coupon_cancel_view", "coupon_edit", "coupon_issue_view",
    "coupon_print", "coupons", "points_settings", "reward_edit", "reward_stock", "slip", "today",
]
