from django.apps import AppConfig

from sasom.core.jobs import daily_job
from sasom.members.registry import register_tier_block


class LedgerConfig(AppConfig):
    name = "sasom.ledger"
    label = "ledger"

    def ready(self) -> None:
        # ready() runs once the models are loaded; these modules import models
        from . import member_data
        from .services.tiering import tiers_daily
        from .tasks import expire_points_task, points_daily, release_pending_task
        from .tier_card import tier_block

        member_data.register()
        register_tier_block(tier_block)
        # the tier cut-offs and expiry downgrades (docs/tiers.md); the scheduler of issue 15 will
        # call tiers_cutoff_run / tiers_expiry_run with its own date
        daily_job("tiers", tiers_daily, order=110)
        daily_job("points", points_daily, order=100, tasks=(release_pending_task, expire_points_task))
