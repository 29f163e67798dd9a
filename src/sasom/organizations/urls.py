from django.urls import path

from sasom.organizations.views import branches, security, settings, staff

app_name = "organizations"

urlpatterns = [
    path("branches/", branches.branch_list, name="branches"),
    path("branches/new/", branches.branch_create, name="branch_create"),
    path("branches/<int:pk>/", branches.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/edit/", branches.branch_edit, name="branch_edit"),
    path("branches/<int:pk>/active/", branches.branch_set_active, name="branch_set_active"),
    path("branches/<int:pk>/terminals/new/", branches.terminal_create, name="terminal_create"),
    path("terminals/<int:pk>/edit/", branches.terminal_edit, name="terminal_edit"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/active/", staff.staff_set_active, name="staff_set_active"),
    path("staff/<int:pk>/password/", staff.staff_password, name="staff_password"),
    path("roles/", staff.roles, name="roles"),
    path("settings/", settings.organization_settings, name="settings"),
    path("security/", security.security_page, name="security"),
]
