"""The portal app's error codes (``DomainError.code``): stable, asserted by tests, read by integrators."""

E_RESEND_TOO_SOON = "portal.resend_too_soon"
E_TOO_MANY_CODES = "portal.too_many_codes"
E_CODE_WRONG = "portal.code_wrong"
E_CODE_EXPIRED = "portal.code_expired"
E_CODE_LOCKED = "portal.code_locked"
E_MEMBER_REFUSED = "portal.member_refused"
E_PURPOSE = "portal.consent_purpose"
