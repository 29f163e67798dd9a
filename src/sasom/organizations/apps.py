from django.apps import AppConfig

from sasom.core.jobs import organizations_provide
from sasom.core.shopcontext import shops_provide


def _organizations() -> list[tuple[int, str, str]]:
    from .models import Organization  # models load after apps; called only when the jobs run

    return list(Organization.objects.order_by("pk").values_list("pk", "code", "time_zone"))


def _organization(organization_id: int) -> object:
    from .models import Organization  # models load after apps; called only when a job or task runs

    return Organization.objects.filter(pk=organization_id).first()


class OrganizationsConfig(AppConfig):
    name = "sasom.organizations"
    label = "organizations"

    def ready(self) -> None:
        # the scheduler (core.jobs) runs per organization, in each one's time zone
        organizations_provide(_organizations)
        # a job or task for one organization runs in its context: zone, calendar, currency
        shops_provide(_organization)
