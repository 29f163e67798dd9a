from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sasom.core.jobs import job_register


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
            promotion_usage,
            purchases,
            redemptions,
            sales,
            usage,
        )
        from sasom.reports.background import report_exports_purge_job  # noqa: PLC0415
        from sasom.reports.summary import summary_job  # noqa: PLC0415

        job_register("reports_sales_summary", summary_job, order=500,
                     description=_("Build the daily sales summary of the closed days and rebuild the changed ones"),
                     counts={"built_days": _("days built"), "rebuilt_days": _("days rebuilt")})

        job_register("report_exports_purge", report_exports_purge_job, order=920, per_organization=False,
                     description=_("Delete report exports older than the days they are kept"),
                     counts={"deleted_exports": _("exports deleted"), "deleted_files": _("export files deleted"),
                             "deleted_results": _("report results deleted")})
        # app loading order: the scheduled reports' module imports models, loaded only once apps are ready
        from sasom.reports.builder_schedule import report_schedules_send  # noqa: PLC0415

        job_register("report_schedules_send", report_schedules_send, order=930,
                     description=_("E-mail the saved reports scheduled for the day"),
                     counts={"sent_reports": _("reports e-mailed"), "already_sent_reports": _("reports sent before")})
