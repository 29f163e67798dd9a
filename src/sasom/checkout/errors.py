"""The checkout's error codes (``DomainError.code``); the ledger's and rewards' codes reach the
API unchanged (``ledger/errors.py``, ``rewards/errors.py``)."""

MEMBER_NOT_FOUND = "member_not_found"
SALE_NOT_FOUND = "sale_not_found"
TERMINAL_REQUIRED = "terminal_required"
UNKNOWN_TERMINAL = "unknown_terminal"
WRONG_TERMINAL = "wrong_terminal"
MEMBER_AMBIGUOUS = "member_ambiguous"
SALE_IN_FUTURE = "sale_in_future"
SALE_TOO_OLD = "sale_too_old"
SALE_BEFORE_START = "sale_before_start"
DISCOUNT_ABOVE_BILL = "discount_above_bill"
PROMOTION_CHOICE = "promotion_choice_invalid"  # a choice naming a SKU the promotion does not offer
PROMOTED_UNITS = "promoted_units_too_many"  # more units than the promotions may count on one bill
