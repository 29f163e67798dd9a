from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.jobs import job_register
from sasom.core.mail import connection_finder_register
from sasom.members.registry import register_eraser


class NotificationsConfig(AppConfig):
    name = "sasom.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # ready() runs once the models are loaded; services imports notifications' models
        from .channels import organization_connection
        from .event_messages import events_subscribe
        from .event_messages_daily import event_messages_daily_run
        from .services import member_erase

        register_eraser(member_erase)
        connection_finder_register(organization_connection)  # core.mail: staff e-mail via the shop's SMTP
        events_subscribe()
        # Birthdays and points-expiry reminders: after the ledger's nightly expiry (order 100).
        job_register("event_messages", event_messages_daily_run, order=400,
                     description=_("Birthday, anniversary, custom-date greetings and points and membership expiry reminders of the day"),
                     counts={"count": _("messages queued")})
