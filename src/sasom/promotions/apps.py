from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "sasom.promotions"
    label = "promotions"

    def ready(self) -> None:
        from sasom.ledger.services.promotion_uses import uses_writer_register  # the ledger's hook
        from sasom.promotions.uses import uses_of_plans  # models are loaded only now

        uses_writer_register(uses_of_plans)
