from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/type/", views.member_change_type, name="change_type"),
    path("<int:pk>/code/", views.member_change_code, name="change_code"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/renew/", views.member_renew, name="renew"),
    path("<int:pk>/cards/", views.member_card_add, name="card_add"),
    path("<int:pk>/cards/replace/", views.member_card_replace, name="card_replace"),
    path("<int:pk>/consent/", views.member_consent, name="consent"),
    path("<int:pk>/anonymize/", views.member_anonymize_view, name="anonymize"),
    path("<int:pk>/export/", views.member_export_view, name="member_export"),
    path("retention/", views.retention_view, name="retention"),
    path("types/", views.member_type_list, name="types"),
    path("types/new/", views.member_type_edit, name="type_create"),
    path("types/<int:pk>/", views.member_type_edit, name="type_edit"),
    path("types/<int:pk>/delete/", views.member_type_delete, name="type_delete"),
    path("fields/new/", views.custom_field_edit, name="field_create"),
    path("fields/<int:pk>/", views.custom_field_edit, name="field_edit"),
    path("fields/<int:pk>/delete/", views.custom_field_delete, name="field_delete"),
    path("lifecycle/", views.lifecycle_view, name="lifecycle"),
    path("import/", views.import_view, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:import_id>/errors.csv", views.import_errors, name="import_errors"),
    path("export/", views.export_view, name="export"),
]
