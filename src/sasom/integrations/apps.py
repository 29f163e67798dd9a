from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "sasom.integrations"
    label = "integrations"
