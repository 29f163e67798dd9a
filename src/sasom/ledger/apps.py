from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.jobs import job_register


class LedgerConfig(AppConfig):
    name = "sasom.ledger"
    label = "ledger"

    def ready(self) -> None:
        # ready() runs once the models are loaded; these modules import models
        from . import member_data
        from .tasks import points_expire_job, points_release_job

        member_data.register()
        job_register("points_release", points_release_job, order=100,
                     description=_("Pending points whose return window has closed become spendable"),
                     counts={"released_points": _("points released")})
        job_register("points_expire", points_expire_job, order=110,
                     description=_("Points past their expiry date expire"),
                     counts={"expired_points": _("points expired")})
