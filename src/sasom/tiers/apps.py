from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "sasom.tiers"
    label = "tiers"

    def ready(self) -> None:
        # ready() runs once the models are loaded; member_data imports models
        from . import member_data

        member_data.register()
