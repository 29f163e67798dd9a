"""The reports' pages. The dashboard keeps its historic name ``core:dashboard`` (templates, the
login redirect and bookmarks use it): ``sasom.urls`` serves ``core_urlpatterns`` in core's
namespace, since core may not import this app."""

from django.urls import path

from sasom.reports import views

core_urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
