from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "sasom.rewards"
    label = "rewards"
