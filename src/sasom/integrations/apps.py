from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "sasom.integrations"
    label = "integrations"

    def ready(self) -> None:
        # ready() runs once the models are loaded; these modules import models
        from .auth import connect_place_signals
        from .webhooks import events_subscribe

        connect_place_signals()
        events_subscribe()
