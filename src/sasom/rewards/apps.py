from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "sasom.rewards"
    label = "rewards"

    def ready(self) -> None:
        # ready() runs once the models are loaded; member_data imports rewards' models
        from . import member_data

        member_data.register()
