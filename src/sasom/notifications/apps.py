from django.apps import AppConfig

from sasom.core.jobs import daily_job
from sasom.members.registry import register_eraser


class NotificationsConfig(AppConfig):
    name = "sasom.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # ready() runs once the models are loaded; services imports notifications' models
        from .event_messages import event_messages_daily, events_subscribe
        from .services import member_erase

        register_eraser(member_erase)
        events_subscribe()
        # Birthdays and points-expiry reminders: after the ledger's nightly expiry (order 100).
        daily_job("event_messages", event_messages_daily, order=400)
