from django.apps import AppConfig

from sasom.core.background import import_kind_register


class CatalogConfig(AppConfig):
    name = "sasom.catalog"
    label = "catalog"

    def ready(self) -> None:
        # ready() runs once the models are loaded; imports reads the catalog's models
        from .imports import BACKGROUND_KIND, products_import_background

        import_kind_register(BACKGROUND_KIND, products_import_background)
