"""Ledger services (writes). Import from here: ``from sasom.ledger.services import sale_post``."""

from sasom.core.money import money
from sasom.ledger.errors import (
    ALREADY_REVERSED,
    ALREADY_VOIDED,
    ENTRY_NOT_FOUND,
    IDEMPOTENCY_CONFLICT,
    INSUFFICIENT_POINTS,
    INVALID_BASKET,
    INVALID_KIND,
    INVALID_POINTS,
    INVALID_RECEIPT,
    MEMBER_INACTIVE,
    NOT_ALLOWED,
    OVER_REVERSAL,
    POINTS_WITHOUT_MEMBER,
    REASON_REQUIRED,
    RECEIPT_CONFLICT,
    RETURN_CONFLICT,
    RETURN_EXCEEDS_SOLD,
    SALE_VOIDED,
    UNKNOWN_LINE,
    WRONG_PLACE,
)
from sasom.ledger.services.bulk import BulkSale, needs_single_post, sales_post_bulk
from sasom.ledger.services.corrections import (
    points_buy,
    points_credit_reverse,
    points_spend_reverse,
)
from sasom.ledger.services.expiry import points_expire_due
from sasom.ledger.services.points import (
    account_for,
    ledger_settings_update,
    points_adjust,
    points_release_pending,
    points_spend,
)
from sasom.ledger.services.returns import sale_return, sale_void
from sasom.ledger.services.sales import SalePostResult, sale_post

points_earn = sale_post

__all__ = [
    "BulkSale", "needs_single_post", "sales_post_bulk",
    "ALREADY_REVERSED", "ENTRY_NOT_FOUND", "OVER_REVERSAL", "points_buy", "points_credit_reverse",
    "points_spend_reverse",
    "ALREADY_VOIDED", "IDEMPOTENCY_CONFLICT", "INSUFFICIENT_POINTS", "INVALID_BASKET", "INVALID_KIND",
    "INVALID_POINTS", "INVALID_RECEIPT", "MEMBER_INACTIVE", "NOT_ALLOWED", "POINTS_WITHOUT_MEMBER",
    "REASON_REQUIRED", "RECEIPT_CONFLICT", "RETURN_CONFLICT", "RETURN_EXCEEDS_SOLD", "SALE_VOIDED",
    "UNKNOWN_LINE", "WRONG_PLACE", "SalePostResult", "account_for", "ledger_settings_update", "money", "points_adjust", "points_earn",
    "points_expire_due", "points_release_pending", "points_spend", "sale_post", "sale_return", "sale_void",
]
