"""The report builder's URLs, served before the reports' ``<slug>/`` (see ``reports.urls``)."""

from django.urls import path

from sasom.reports import builder_views

builder_urlpatterns = [
    path("builder/", builder_views.builder_view, name="builder"),
    path("builder/save/", builder_views.builder_save, name="builder_save"),
    path("builder/saved/", builder_views.builder_saved, name="builder_saved"),
    path("builder/saved/<int:pk>/", builder_views.builder_open, name="builder_open"),
    path("builder/saved/<int:pk>/delete/", builder_views.builder_delete, name="builder_delete"),
    path("builder/saved/<int:pk>/schedule/", builder_views.builder_schedule, name="builder_schedule"),
]
