from django.apps import AppConfig

from sasom.core.jobs import daily_job


class MembersConfig(AppConfig):
    name = "sasom.members"
    label = "members"

    def ready(self) -> None:
        # ready() runs once the models are loaded; privacy imports members' models
        from .lifecycle import members_expire_daily
        from .privacy import members_retention_daily

        daily_job("members_expire", members_expire_daily, order=50)
        daily_job("members_retention", members_retention_daily, order=200)
