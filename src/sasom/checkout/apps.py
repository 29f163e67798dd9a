from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "sasom.checkout"
    label = "checkout"
