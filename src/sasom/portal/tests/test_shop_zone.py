"""A Tehran shop on the Jalali calendar reads its own day everywhere, not the server's (Asia/Bangkok).

The coupon below is issued on 28 November 2026 (7 Azar 1405 in Tehran) for one day: it stops at
Tehran's midnight, 20:30 UTC, so its last instant (20:29:59 UTC) is 7 Azar in Tehran but already
8 Azar (03:29) in Bangkok. The back office, the portal, the API and the message must all say
1405/09/07: Django's current zone is the organization's for the request (``core.zones``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from sasom.core import jobs
from sasom.core.audit import Actor
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import event_message_save, forget_active
from sasom.notifications.models import Message
from sasom.portal.session import portal_session_create
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, coupon_template_save
from sasom.testing.factories import (
    MemberFactory,
    MemberTypeFactory,
    OrganizationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
ISSUED_AT = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)  # 13:30 in Tehran, 17:00 in Bangkok
TEHRAN_DAY, BANGKOK_DAY = "1405/09/07", "1405/09/08"


@pytest.fixture
def tehran(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    MemoryBackend.clear()
    forget_active()
    shop = OrganizationFactory(code="tehran", name="Tehran", time_zone="Asia/Tehran", calendar="jalali")
    member = MemberFactory(organization=shop, member_type=MemberTypeFactory(organization=shop, is_default=True),
                           code="T0000001", phone="+989121234567", language="en")
    event_message_save(organization_id=shop.pk, event="coupon_issued", channel="sms", is_active=True, actor=SYSTEM,
                       body_th="{coupon_name} {expiry_date}", body_en="{coupon_name} until {expiry_date}")
    template = coupon_template_save(organization=shop, actor=SYSTEM, data={
        "code": "DAY", "name": "Today only", "kind": CouponTemplate.Kind.CASH, "value": Decimal("50"),
        "points_cost": 0, "validity_days": 1})
    coupon = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False, now=ISSUED_AT)
    yield shop, member, coupon
    forget_active()
    MemoryBackend.clear()


@pytest.fixture
def zones_rendered():
    """Django's current zone each time a template is rendered."""
    seen: list[str] = []

    def record(**_kwargs):
        seen.append(timezone.get_current_timezone_name())

    template_rendered.connect(record, dispatch_uid="test-shop-zone")
    yield seen
    template_rendered.disconnect(dispatch_uid="test-shop-zone")


def test_the_coupons_last_day_crosses_midnight_in_bangkok_only(tehran):
    _shop, _member, coupon = tehran
    last = coupon.expires_at - dt.timedelta(microseconds=1)
    assert last.astimezone(timezone.get_default_timezone()).date() == dt.date(2026, 11, 29)
    assert timezone.localtime(last, dt.timezone(dt.timedelta(hours=3, minutes=30))).date() == dt.date(2026, 11, 28)


def test_the_back_office_shows_the_shops_day(tehran, zones_rendered):
    # given the shop's admin
    shop, _member, coupon = tehran
    staff = StaffFactory(organization=shop)
    client = Client()
    client.force_login(staff.user)
    # when the coupon is printed from the back office
    html = client.get(reverse("rewards:coupon_print", args=[coupon.pk])).content.decode()
    # then it is valid until the shop's day, rendered on the shop's clock; the request leaves the server's zone
    assert TEHRAN_DAY in html and BANGKOK_DAY not in html
    assert zones_rendered and set(zones_rendered) == {"Asia/Tehran"}
    assert timezone.get_current_timezone_name() == django_settings.TIME_ZONE


def test_the_portal_shows_the_shops_day(tehran, zones_rendered):
    # given the member logged in to the shop's portal
    shop, member, _coupon = tehran
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = portal_session_create(member)
    # when they open their coupons
    response = client.get(f"/m/{shop.code}/coupons/")
    html = response.content.decode()
    # then the coupon's last day is the shop's
    assert response.status_code == 200
    assert TEHRAN_DAY in html and BANGKOK_DAY not in html
    assert set(zones_rendered) == {"Asia/Tehran"}
    assert timezone.get_current_timezone_name() == django_settings.TIME_ZONE


def test_the_message_names_the_shops_last_day(tehran):
    # the coupon_issued message was written when the coupon was issued
    _shop, member, _coupon = tehran
    [body] = Message.objects.filter(member=member, purpose="coupon_issued").values_list("body", flat=True)
    assert body == f"Today only until {TEHRAN_DAY}"


def test_a_job_for_the_shop_runs_on_its_clock(tehran):
    # given a job that notes the zone it runs in
    shop, _member, _coupon = tehran
    seen = []
    job = jobs.job_register("test_shop_zone", lambda **_kw: seen.append(timezone.get_current_timezone_name()) or {},
                            order=999)
    try:
        # when it runs for the Tehran shop
        result = jobs.job_run(job, on_date=dt.date(2026, 11, 28), organization_id=shop.pk, force=True)
    finally:
        jobs.job_forget("test_shop_zone")
    # then in Tehran's zone, and the worker is back on the server's afterwards
    assert result.outcome == "done" and seen == ["Asia/Tehran"]
    assert timezone.get_current_timezone_name() == django_settings.TIME_ZONE


def test_the_api_answers_the_shops_last_day(tehran):
    # given an API key of the shop (no terminal: the key knows its organization's zone)
    from sasom.integrations import auth  # noqa: PLC0415  (its key cache is cleared for this test)
    from sasom.integrations.services import api_key_create  # noqa: PLC0415

    shop, _member, coupon = tehran
    auth._cache.clear()
    issued = api_key_create(organization_id=shop.pk, label="erp", actor=SYSTEM, can_manage=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    # when the coupon is read
    response = client.get(f"/api/v1/coupons/{coupon.code}")
    # then its last valid day is the shop's (ISO, Gregorian, as every API date)
    assert response.status_code == 200, response.content
    assert response.json()["last_valid_on"] == "2026-11-28"
    assert timezone.get_current_timezone_name() == django_settings.TIME_ZONE
