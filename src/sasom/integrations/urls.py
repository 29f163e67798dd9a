from django.urls import path

from sasom.integrations import views

app_name = "integrations"

urlpatterns = [
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/rejected.csv", views.batch_rejected_csv, name="batch_rejected_csv"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/deactivate/", views.webhook_deactivate_view, name="webhook_deactivate"),
    path("webhooks/deliveries/<int:pk>/resend/", views.webhook_resend_view, name="webhook_resend"),
]
