from django.urls import path

from sasom.earning import views

app_name = "earning"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_edit, name="rule_create"),
    path("kind-fields/", views.rule_kind_fields, name="rule_kind_fields"),
    path("<int:pk>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("settings/", views.settings_edit, name="settings"),
    path("try/", views.basket_preview, name="preview"),
]
