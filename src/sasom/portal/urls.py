from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("<slug:org_code>/", views.home, name="home"),
    path("<slug:org_code>/login/", views.login_view, name="login"),
    path("<slug:org_code>/login/code/", views.code_view, name="code"),
    path("<slug:org_code>/login/resend/", views.resend_view, name="resend"),
    path("<slug:org_code>/logout/", views.logout_view, name="logout"),
    path("<slug:org_code>/points/", views.history, name="history"),
    path("<slug:org_code>/coupons/", views.coupons, name="coupons"),
    path("<slug:org_code>/coupons/<int:pk>/", views.coupon_detail, name="coupon"),
    path("<slug:org_code>/rewards/", views.rewards, name="rewards"),
    path("<slug:org_code>/news/", views.news, name="news"),
    path("<slug:org_code>/news/<int:pk>/", views.news_detail, name="news_item"),
    path("<slug:org_code>/me/", views.my_data, name="my_data"),
    path("<slug:org_code>/me/export/", views.my_data_export, name="my_data_export"),
    path("<slug:org_code>/me/line/", views.line_view, name="line"),
]
