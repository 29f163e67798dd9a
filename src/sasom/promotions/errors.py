"""The promotions app's error codes (``DomainError.code``): stable, asserted by tests, read by
integrators. Each refusal also names its field (``params.bands.1.value``, ``item_skus``, ...)."""

PROMOTION_NOT_FOUND = "promotion_not_found"
PROMOTION_CODE_TAKEN = "promotion_code_taken"
PROMOTION_KIND_UNKNOWN = "promotion_kind_unknown"
PROMOTION_PARAMS_INVALID = "promotion_params_invalid"
PROMOTION_FIELD_INVALID = "promotion_field_invalid"  # a required field missing, a value out of range
PROMOTION_UNKNOWN_CODE = "promotion_unknown_code"  # a SKU, category, brand, member type, tier, branch, terminal
PROMOTION_DATES_INVALID = "promotion_dates_invalid"
PROMOTION_HOURS_INVALID = "promotion_hours_invalid"
PROMOTION_WEEKDAYS_INVALID = "promotion_weekdays_invalid"
PROMOTION_STATE_INVALID = "promotion_state_invalid"  # e.g. pausing a draft, changing an ended promotion
PREVIEW_INVALID = "promotion_preview_invalid"
