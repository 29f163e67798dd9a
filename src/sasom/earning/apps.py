from django.apps import AppConfig


class EarningConfig(AppConfig):
    name = "sasom.earning"
    label = "earning"
