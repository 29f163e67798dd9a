"""The earning app's error codes (``DomainError.code``): stable, asserted by tests, read by integrators."""

E_RULE_NOT_FOUND = "earning_rule_not_found"
E_CAMPAIGN_NOT_FOUND = "earning_campaign_not_found"
RULE_PARAMS_INVALID = "rule_params_invalid"
UNKNOWN_PARAMETER = "unknown_parameter"
RULE_CODE_TAKEN = "rule_code_taken"
CAMPAIGN_CODE_TAKEN = "campaign_code_taken"
FIELD_INVALID = "earning_field_invalid"
UNKNOWN_CODE = "earning_unknown_code"
PREVIEW_INVALID = "preview_invalid"
# a rule limited to tiers while tiers do not exist yet (issue 12 lifts this)
TIERS_NOT_AVAILABLE = "tiers_not_available"
