from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .db_session import jit_off
from .jobs import job_register


class CoreConfig(AppConfig):
    name = "sasom.core"
    label = "core"
    verbose_name = "Sasom core"

    def ready(self) -> None:
        connection_created.connect(jit_off, dispatch_uid="sasom.core.jit_off")
        # ready() runs once the models are loaded; events imports core's models
        from .events import events_purge_job
        from .forms_once import form_tokens_purge_job

        job_register("events_purge", events_purge_job, order=900, per_organization=False,
                     description=_("Delete processed outbox events older than 30 days"),
                     counts={"deleted_events": _("events deleted")})
        job_register("form_tokens_purge", form_tokens_purge_job, order=910, per_organization=False,
                     description=_("Delete used form tokens older than two days"),
                     counts={"deleted_tokens": _("form tokens deleted")})
