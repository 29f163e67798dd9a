from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "sasom.catalog"
    label = "catalog"
