from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sasom.portal"
    label = "portal"
    verbose_name = "Member portal"
