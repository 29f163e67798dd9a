from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "sasom.integrations"
    label = "integrations"

    def ready(self) -> None:
        from .auth import connect_place_signals

        connect_place_signals()
