from django.urls import path

from sasom.notifications import views, views_labels

app_name = "notifications"

urlpatterns = [
    path("channels/", views.channels, name="channels"),
    path("channels/<slug:channel>/", views.channel_edit, name="channel_edit"),
    path("channels/<slug:channel>/test/", views.channel_test, name="channel_test"),
    path("events/", views.events, name="events"),
    path("events/<slug:event>/<slug:channel>/", views.event_edit, name="event_edit"),
    path("broadcasts/", views.broadcasts, name="broadcasts"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast"),
    path("labels/", views_labels.labels, name="labels"),
    path("line/<slug:org_code>/webhook/", views.line_webhook, name="line_webhook"),
    path("sms/<slug:org_code>/<slug:token>/report/", views.sms_report, name="sms_report"),
    path("sms/<slug:org_code>/<slug:token>/inbound/", views.sms_inbound, name="sms_inbound"),
    path("optout/<slug:org_code>/<int:member_id>/<slug:token>/", views.optout, name="optout"),
]
