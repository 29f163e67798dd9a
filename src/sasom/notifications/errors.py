"""The notifications app's error codes (``DomainError.code``): stable, asserted by tests, read by integrators."""

E_CHANNEL = "notify.channel_invalid"
E_RECIPIENT = "notify.recipient_missing"
