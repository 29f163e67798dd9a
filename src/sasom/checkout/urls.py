"""The cashier's screens keep the addresses they had (``points/...``, ``rewards/cashier/``); the
till (``till/``) is the sale screen the menu opens, the counter stays for sales keyed as totals."""

from django.urls import path

from sasom.checkout import views, views_till, views_till_inquiry, views_till_terminal

app_name = "checkout"

urlpatterns = [
    path("points/counter/", views.counter, name="counter"),
    path("points/sales/<int:pk>/void/", views.sale_void_view, name="sale_void"),
    path("points/sales/<int:pk>/return/", views.sale_return_view, name="sale_return"),
    path("rewards/cashier/", views.cashier, name="cashier"),
    path("till/", views_till.till, name="till"),
    path("till/terminal/", views_till_terminal.till_terminal, name="till_terminal"),
    path("till/scan/", views_till.till_scan, name="till_scan"),
    path("till/lines/<int:index>/", views_till.till_line, name="till_line"),
    path("till/member/", views_till.till_member, name="till_member"),
    path("till/payment/", views_till.till_payment, name="till_payment"),
    path("till/bag/", views_till.till_bag, name="till_bag"),
    path("till/new/", views_till.till_new, name="till_new"),
    path("till/choice/", views_till.till_choice, name="till_choice"),
    path("till/inquiry/", views_till_inquiry.till_inquiry, name="till_inquiry"),
    path("till/post/", views_till.till_commit, name="till_commit"),
    path("till/receipts/<int:pk>/", views_till.till_receipt, name="till_receipt"),
]
