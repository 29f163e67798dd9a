from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "sasom.members"
    label = "members"
