from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "sasom.tiers"
    label = "tiers"
