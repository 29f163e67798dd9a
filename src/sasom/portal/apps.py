from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.jobs import job_register
from sasom.members.registry import register_eraser


class PortalConfig(AppConfig):
    name = "sasom.portal"
    label = "portal"
    verbose_name = "Member portal"

    def ready(self) -> None:
        # ready() runs once the models are loaded; services and tasks import portal's models
        from sasom.notifications.links import link_source_register

        from .news import news_links
        from .services import member_erase
        from .tasks import login_codes_purge_job

        register_eraser(member_erase)
        link_source_register(news_links)
        job_register("login_codes_purge", login_codes_purge_job, order=300, per_organization=False,
                     description=_("Delete portal login codes older than a day"),
                     counts={"deleted_codes": _("login codes deleted")})
