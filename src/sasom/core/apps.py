from django.apps import AppConfig

from .jobs import daily_job


class CoreConfig(AppConfig):
    name = "sasom.core"
    label = "core"
    verbose_name = "Sasom core"

    def ready(self) -> None:
        # ready() runs once the models are loaded; events imports core's models
        from .events import events_purge_daily
        from .forms_once import form_tokens_purge_daily

        daily_job("events_purge", events_purge_daily, order=900)
        daily_job("form_tokens_purge", form_tokens_purge_daily, order=910)
