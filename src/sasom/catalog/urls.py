from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/bulk/", views.product_bulk, name="bulk"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_edit, name="category_create"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("brands/", views.brand_list, name="brands"),
    path("brands/new/", views.brand_edit, name="brand_create"),
    path("brands/<int:pk>/", views.brand_edit, name="brand_edit"),
    path("import/", views.import_view, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:import_id>/problems.csv", views.import_problems, name="import_problems"),
    path("export/", views.export_view, name="export"),
]
