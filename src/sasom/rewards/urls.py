from django.urls import path

from . import views

app_name = "rewards"

urlpatterns = [
    path("", views.counter, name="counter"),
    path("slip/<int:pk>/", views.slip, name="slip"),
    path("today/", views.today, name="today"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("members/<int:member_id>/coupon/", views.coupon_issue_view, name="coupon_issue"),
    path("coupon/<int:pk>/", views.coupon_print, name="coupon_print"),
    path("coupon/<int:pk>/cancel/", views.coupon_cancel_view, name="coupon_cancel"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/new/", views.reward_edit, name="reward_new"),
    path("catalog/<int:pk>/", views.reward_edit, name="reward_edit"),
    path("catalog/<int:pk>/stock/", views.reward_stock, name="reward_stock"),
    path("settings/", views.points_settings, name="settings"),
    path("coupons/", views.coupons, name="coupons"),
    path("coupons/new/", views.coupon_edit, name="coupon_new"),
    path("coupons/<int:pk>/", views.coupon_edit, name="coupon_edit"),
    path("coupons/<int:pk>/bulk/", views.coupon_bulk, name="coupon_bulk"),
]
