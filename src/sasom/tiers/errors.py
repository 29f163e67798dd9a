"""Error codes of the tiers app (tests assert on them)."""

INVALID_LADDER = "invalid_tier_ladder"
UNKNOWN_TIER = "unknown_tier"
NO_LADDER = "no_tier_ladder"
NO_REEVALUATION = "no_tier_reevaluation"
