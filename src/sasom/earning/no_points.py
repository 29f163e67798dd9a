"""Why a member earned nothing (``EarnResult.no_points``), as people read it in the back office."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "type_does_not_earn": _("This member type earns no points."),
    "card_expired": _("The member's card had expired."),
    "nothing_eligible": _("No item on the bill earns points (excluded, or discounted away)."),
    "below_first_point": _("The bill is below the first point of the base rate."),
    "no_rule": _("No earning rule applies to this bill."),
}
