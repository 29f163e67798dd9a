from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sasom.core"
    label = "core"
    verbose_name = "Sasom core"
