"""The cashier's screens keep the addresses they had (``points/...``, ``rewards/cashier/``)."""

from django.urls import path

from sasom.checkout import views

app_name = "checkout"

urlpatterns = [
    path("points/counter/", views.counter, name="counter"),
    path("points/sales/<int:pk>/void/", views.sale_void_view, name="sale_void"),
    path("points/sales/<int:pk>/return/", views.sale_return_view, name="sale_return"),
    path("rewards/cashier/", views.cashier, name="cashier"),
]
