"""The reports' pages. The dashboard keeps its historic name ``core:dashboard`` (templates, the
login redirect and bookmarks use it): ``sasom.urls`` serves ``core_urlpatterns`` in core's
namespace, since core may not import this app. The catch-all ``<slug>/`` (a declared report)
comes last: "builder" and "cards" would otherwise read as a report's slug."""

from django.urls import path

from sasom.reports import cards_views, views
from sasom.reports.builder_urls import builder_urlpatterns

app_name = "reports"

core_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("statement/", views.statement_view, name="statement"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("results/<int:pk>/", views.result_status, name="result"),
    *builder_urlpatterns,
    path("cards/", cards_views.cards_view, name="cards"),
    path("cards/exports/<int:pk>/", cards_views.cards_export, name="cards_export"),
    path("<slug:slug>/", views.report_view, name="report"),
]
