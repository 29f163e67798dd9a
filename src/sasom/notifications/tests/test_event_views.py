"""The messages-to-members screens: switch an event on with its text, preview it with a real
member (parts and cost), quiet hours."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.notifications.event_messages import forget_active
from sasom.notifications.models import EventMessage, MessagingSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():
    forget_active()
    yield
    forget_active()


def _token(client, url):
    return client.get(url).content.decode().split('name="_form_token" value="')[1].split('"')[0]


def test_marketing_switches_purchase_sms_on_after_a_preview(staff_client, org, member):
    marketing = staff_client("marketing")
    url = "/messaging/events/purchase/sms/"
    page = marketing.get(url).content.decode()
    assert "{points}" in page  # the default text and the placeholders are offered
    body = {"is_active": "on", "body_th": "{shop}: คุณ{name} ได้ {points} คะแนน", "body_en": "", "preview_member": member.code}
    response = marketing.post(url, {**body, "preview": "1", "_form_token": _token(marketing, url)})
    html = response.content.decode()
    assert response.status_code == 200 and "มินิมาร์ท: คุณสมชาย ได้ 120 คะแนน" in html and "UCS2" in html
    assert not EventMessage.objects.exists()  # a preview saves nothing
    response = marketing.post(url, {**body, "save": "1", "_form_token": _token(marketing, url)})
    assert response.status_code == 302
    row = EventMessage.objects.get(organization=org, event="purchase", channel="sms")
    assert row.is_active and row.body_th.startswith("{shop}")
    assert 'data-event="purchase-sms"><span class="badge active">' in marketing.get("/messaging/events/").content.decode()


def test_unknown_placeholder_and_unknown_member_are_field_errors(staff_client, org):
    marketing = staff_client("marketing")
    url = "/messaging/events/birthday/email/"
    response = marketing.post(url, {"body_th": "HBD {nick}", "body_en": "", "preview_member": "",
                                    "save": "1", "_form_token": _token(marketing, url)})
    assert response.status_code == 200 and response.context["form"].errors["body_th"]
    response = marketing.post(url, {"body_th": "HBD", "body_en": "", "preview_member": "NOBODY",
                                    "preview": "1", "_form_token": _token(marketing, url)})
    assert response.context["form"].errors["preview_member"]


def test_quiet_hours_are_saved(staff_client, org):
    admin = staff_client("admin")
    url = "/messaging/events/"
    response = admin.post(url, {"quiet_from": "20:30", "quiet_until": "09:00", "marketing_daily_cap": "3",
                                "opt_out_keywords": "STOP",
                                "_form_token": _token(admin, url)})
    assert response.status_code == 302
    row = MessagingSettings.objects.get(organization=org)
    assert (row.quiet_from, row.quiet_until, row.marketing_daily_cap) == (dt.time(20, 30), dt.time(9, 0), 3)


def test_reserved_event_and_other_roles(staff_client):
    assert staff_client("marketing").get("/messaging/events/no_such_event/sms/").status_code == 404
    assert staff_client("marketing").get("/messaging/events/tier_changed/sms/").status_code == 200
    assert staff_client("cashier").get("/messaging/events/").status_code == 403


def test_marketing_counts_a_segment_then_schedules_a_broadcast(staff_client, org, member, member_type):
    from sasom.notifications.models import Broadcast

    member.birth_on = dt.date(1990, 7, 1)
    member.save()
    marketing = staff_client("marketing")
    url = "/messaging/broadcasts/"
    data = {"name": "July", "channel": "sms", "scheduled_at": "2026-07-01T10:00", "body_th": "สวัสดีคุณ{name}",
            "body_en": "", "member_types": [str(member_type.pk)], "birth_months": ["7"]}
    html = marketing.post(url, {**data, "preview": "1", "_form_token": _token(marketing, url)}).content.decode()
    assert 'id="segment-preview"' in html and member.code in html
    assert not Broadcast.objects.exists()
    response = marketing.post(url, {**data, "schedule": "1", "_form_token": _token(marketing, url)})
    broadcast = Broadcast.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == f"/messaging/broadcasts/{broadcast.pk}/"
    assert broadcast.conditions == [{"kind": "member_type", "ids": [member_type.pk]}, {"kind": "birth_month", "months": [7]}]
    assert broadcast.scheduled_at.hour == 3  # 10:00 in Bangkok
    page = marketing.get(response["Location"]).content.decode()
    assert 'id="processed">0 / 0<' in page
    bad = marketing.post(url, {**data, "spent_from": "2026-05-01", "spent_to": "2026-04-01", "schedule": "1",
                               "_form_token": _token(marketing, url)})
    assert bad.status_code == 200 and bad.context["form"].errors["spent_to"]


def test_a_custom_date_message_asks_for_the_date_field(staff_client, org):
    from sasom.members.models import CustomField

    CustomField.objects.create(organization=org, key="wedding", label="วันแต่งงาน", kind=CustomField.Kind.DATE)
    CustomField.objects.create(organization=org, key="nickname", label="ชื่อเล่น", kind=CustomField.Kind.TEXT)
    marketing = staff_client("marketing")
    url = "/messaging/events/custom_date/sms/"
    page = marketing.get(url).content.decode()
    assert 'value="wedding"' in page and 'value="nickname"' not in page  # only date fields are offered
    body = {"is_active": "on", "body_th": "ครบรอบ {years} ปี", "body_en": "", "preview_member": "", "save": "1"}
    response = marketing.post(url, {**body, "_form_token": _token(marketing, url)})
    assert response.status_code == 200 and response.context["form"].errors["date_field"]
    response = marketing.post(url, {**body, "date_field": "wedding", "_form_token": _token(marketing, url)})
    assert response.status_code == 302
    assert EventMessage.objects.get(organization=org, event="custom_date").date_field == "wedding"
