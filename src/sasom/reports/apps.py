from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from sasom.core.jobs import job_register
from sasom.reports.planner import jit_off


class ReportsConfig(AppConfig):
    name = "sasom.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # the reports register themselves in framework.REPORTS when their modules load
        from sasom.reports import (  # noqa: F401, PLC0415
            birthmonth,
            donations,
            frequency,
            members,
            points,
            purchases,
            redemptions,
            sales,
            usage,
        )
        from sasom.reports.background import report_exports_purge_job  # noqa: PLC0415

        job_register("report_exports_purge", report_exports_purge_job, order=920, per_organization=False,
                     description=_("Delete report exports older than the days they are kept"),
                     counts={"deleted_exports": _("exports deleted"), "deleted_files": _("export files deleted")})
        connection_created.connect(jit_off, dispatch_uid="sasom.reports.jit_off")
