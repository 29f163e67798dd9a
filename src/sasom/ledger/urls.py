from django.urls import path

from sasom.ledger import views

app_name = "ledger"

urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("settings/", views.settings_view, name="settings"),
    path("sales/<int:pk>/", views.sale_detail, name="sale"),
    path("members/<int:member_id>/", views.member_points, name="member_points"),
    path("members/<int:member_id>/adjust/", views.adjust, name="adjust"),
]
