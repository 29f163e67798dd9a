"""The reports' pages. The dashboard keeps its historic name ``core:dashboard`` (templates, the
login redirect and bookmarks use it): ``sasom.urls`` serves ``core_urlpatterns`` in core's
namespace, since core may not import this app."""

from django.urls import path

from sasom.reports import views

app_name = "reports"

core_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("statement/", views.statement_view, name="statement"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("<slug:slug>/", views.report_view, name="report"),
]

# the report builder's pages come before ``<slug:slug>/`` ("builder" would read as a report's slug)
from sasom.reports.builder_urls import builder_urlpatterns  # noqa: E402

urlpatterns = [*builder_urlpatterns, *urlpatterns]
