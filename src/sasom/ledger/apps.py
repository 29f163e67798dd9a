from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.currency import sales_check_register
from sasom.core.jobs import job_register
from sasom.members.registry import register_tier_block


class LedgerConfig(AppConfig):
    name = "sasom.ledger"
    label = "ledger"

    def ready(self) -> None:
        # ready() runs once the models are loaded; these modules import models
        from . import member_data
        from .services.tiering import tiers_cutoff_job, tiers_expiry_job
        from .tasks import points_expire_job, points_release_job
        from .tier_card import tier_block

        member_data.register()
        sales_check_register(_has_sales)
        register_tier_block(tier_block)
        job_register("points_release", points_release_job, order=100,
                     description=_("Pending points whose return window has closed become spendable"),
                     counts={"released_points": _("points released")})
        job_register("points_expire", points_expire_job, order=110,
                     description=_("Points past their expiry date expire"),
                     counts={"expired_points": _("points expired")})
        # tiers (docs/tiers.md): a cut-off or a tier's last day is decided once that day is over
        job_register("tiers_cutoff", tiers_cutoff_job, order=120,
                     description=_("Tier cut-off of the day that ended: members below their tier drop"),
                     counts={"checked": _("members checked"), "moved": _("members moved")})
        job_register("tiers_expiry", tiers_expiry_job, order=125,
                     description=_("Tiers whose last day ended are renewed or dropped"),
                     counts={"checked": _("members checked"), "renewed": _("tiers renewed"),
                             "moved": _("members moved")})


def _has_sales(organization_id: int) -> bool:
    """Whether the organization has a sale (its currency is then fixed: core.currency.has_sales)."""
    from .models import Sale  # models load after the app configs

    return Sale.objects.filter(organization_id=organization_id).exists()
