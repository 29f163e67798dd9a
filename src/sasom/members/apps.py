from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "sasom.members"
    label = "members"

    def ready(self) -> None:
        # ready() runs once the models are loaded; privacy imports members' models
        from sasom.core.jobs import daily_job

        from .privacy import members_retention_daily

        daily_job("members_retention", members_retention_daily, order=200)
