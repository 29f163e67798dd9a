from django.urls import path

from sasom.promotions import views, views_edit

app_name = "promotions"

urlpatterns = [
    path("", views.promotion_list, name="list"),
    path("new/", views_edit.promotion_edit, name="create"),
    path("settings/", views.settings_edit, name="settings"),
    path("<int:pk>/", views.promotion_detail, name="detail"),
    path("<int:pk>/edit/", views_edit.promotion_edit, name="edit"),
    path("<int:pk>/copy/", views.promotion_copy, name="copy"),
    path("<int:pk>/<slug:action>/", views.promotion_move, name="move"),
]
