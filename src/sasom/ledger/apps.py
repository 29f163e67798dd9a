from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "sasom.ledger"
    label = "ledger"
