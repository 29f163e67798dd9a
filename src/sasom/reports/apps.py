from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sasom.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # the reports register themselves in framework.REPORTS when their modules load
        from sasom.reports import donations, members, points, redemptions, sales, usage  # noqa: F401, PLC0415
