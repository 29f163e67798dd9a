from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .db_session import connections_used, jit_off, skip_check_when_busy
from .jobs import job_register


class CoreConfig(AppConfig):
    name = "sasom.core"
    label = "core"
    verbose_name = "Sasom core"

    def ready(self) -> None:
        connection_created.connect(jit_off, dispatch_uid="sasom.core.jit_off")
        # after Django's own handlers of both (connected when django.db was imported)
        request_started.connect(skip_check_when_busy, dispatch_uid="sasom.core.skip_check_when_busy")
        request_finished.connect(connections_used, dispatch_uid="sasom.core.connections_used")
        # ready() runs once the models are loaded; events imports core's models
        from .events import events_purge_job
        from .forms_once import form_tokens_purge_job

        job_register("events_purge", events_purge_job, order=900, per_organization=False,
                     description=_("Delete processed outbox events older than 30 days"),
                     counts={"deleted_events": _("events deleted")})
        job_register("form_tokens_purge", form_tokens_purge_job, order=910, per_organization=False,
                     description=_("Delete used form tokens older than two days"),
                     counts={"deleted_tokens": _("form tokens deleted")})
