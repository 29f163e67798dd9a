from django.urls import path

from . import views_prices as views

app_name = "prices"

urlpatterns = [
    path("", views.table_list, name="tables"),
    path("new/", views.table_create, name="table_create"),
    path("settings/", views.settings_edit, name="settings"),
    path("<str:code>/", views.table_detail, name="table"),
    path("<str:code>/edit/", views.table_edit, name="table_edit"),
    path("<str:code>/prices/", views.price_add, name="price_add"),
    path("<str:code>/prices/<int:pk>/remove/", views.price_remove, name="price_remove"),
]
