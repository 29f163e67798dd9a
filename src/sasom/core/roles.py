"""Staff roles. They live in core because the grant table (``core.permissions``) names them and
core imports no domain app; ``organizations.models`` re-exports ``Role`` for its ``Staff``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MARKETING = "marketing", _("Marketing")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    CASHIER = "cashier", _("Cashier")
    SERVICE_COUNTER = "service_counter", _("Service counter")
    AUDITOR = "auditor", _("Auditor (read-only)")
