"""Core's pages. Its namespace also holds ``dashboard``, served by ``sasom.reports`` (see
``sasom.urls``)."""

from django.urls import path

from sasom.core import views, views_jobs

app_name = "core"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/otp/", views.otp_verify, name="otp_verify"),
    path("language/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_list, name="audit"),
    path("jobs/", views_jobs.jobs_view, name="jobs"),
]
