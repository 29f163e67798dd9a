from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.background import import_kind_register
from sasom.core.jobs import job_register


class MembersConfig(AppConfig):
    name = "sasom.members"
    label = "members"

    def ready(self) -> None:
        # ready() runs once the models are loaded; privacy imports members' models
        from .imports import BACKGROUND_KIND, members_import_background
        from .lifecycle import members_expire_job
        from .privacy import members_retention_job

        import_kind_register(BACKGROUND_KIND, members_import_background)
        job_register("members_expire", members_expire_job, order=50,
                     description=_("Member cards past their expiry date are marked expired"),
                     counts={"expired_members": _("member cards expired")})
        job_register("members_retention", members_retention_job, order=200,
                     description=_("Closed members past the retention period are anonymized (PDPA)"),
                     counts={"anonymized_members": _("members anonymized")})
