from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sasom.reports"
    label = "reports"
    verbose_name = "Reports"
