from django.apps import AppConfig

from sasom.members.registry import register_eraser


class NotificationsConfig(AppConfig):
    name = "sasom.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # ready() runs once the models are loaded; services imports notifications' models
        from .services import member_erase

        register_eraser(member_erase)
