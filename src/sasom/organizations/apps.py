from django.apps import AppConfig

from sasom.core.jobs import organizations_provide


def _organizations() -> list[tuple[int, str, str]]:
    from .models import Organization  # models load after apps; called only when the jobs run

    return list(Organization.objects.order_by("pk").values_list("pk", "code", "time_zone"))


class OrganizationsConfig(AppConfig):
    name = "sasom.organizations"
    label = "organizations"

    def ready(self) -> None:
        # the scheduler (core.jobs) runs per organization, in each one's time zone
        organizations_provide(_organizations)
