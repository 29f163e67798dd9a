from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "sasom.organizations"
    label = "organizations"
