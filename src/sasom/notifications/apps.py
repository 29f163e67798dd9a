from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sasom.notifications"
    label = "notifications"
    verbose_name = "Notifications"
