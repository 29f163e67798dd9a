from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "sasom.promotions"
    label = "promotions"
