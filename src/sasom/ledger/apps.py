from django.apps import AppConfig

from sasom.core.jobs import daily_job


class LedgerConfig(AppConfig):
    name = "sasom.ledger"
    label = "ledger"

    def ready(self) -> None:
        # ready() runs once the models are loaded; these modules import models
        from . import member_data
        from .tasks import expire_points_task, points_daily, release_pending_task

        member_data.register()
        daily_job("points", points_daily, order=100, tasks=(release_pending_task, expire_points_task))
