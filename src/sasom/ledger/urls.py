from django.urls import path

from sasom.ledger import views, views_tiers

app_name = "ledger"

urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("settings/", views.settings_view, name="settings"),
    path("sales/<int:pk>/", views.sale_detail, name="sale"),
    path("members/<int:member_id>/", views.member_points, name="member_points"),
    path("members/<int:member_id>/adjust/", views.adjust, name="adjust"),
    path("members/<int:member_id>/tier/set/", views_tiers.member_tier_set_view, name="member_tier_set"),
    path("tiers/", views_tiers.ladder, name="tiers"),
    path("tiers/reevaluate/", views_tiers.reevaluate, name="tiers_reevaluate"),
    path("tiers/reevaluate/<int:reevaluation_id>/", views_tiers.reevaluation, name="tiers_reevaluation"),
]
