"""One shop context (zone, calendar, currency, week) for a request and for a job, never leaking.

A Tehran shop keeps IRR shown in toman on the Jalali calendar; a Bangkok shop keeps THB on the
Buddhist era. The back office, the portal and the worker activate the same context for each
(``core.shopcontext``), and a request served after another on the same thread starts from the
server's context again.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.test.signals import template_rendered

from sasom.core import jobs
from sasom.core.forms_money import amount_shown
from sasom.core.shopcontext import (
    MONDAY,
    SATURDAY,
    SUNDAY,
    ShopContext,
    active_shop,
    shop_context_of,
    shop_zone,
    week_start,
)
from sasom.organizations.models import Role
from sasom.portal.session import portal_session_create
from sasom.testing.factories import (
    MemberFactory,
    MemberTypeFactory,
    OrganizationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db
SERVER = ShopContext(zone=django_settings.TIME_ZONE)


@pytest.fixture
def tehran(db):
    return OrganizationFactory(code="tehran", name="تهران", time_zone="Asia/Tehran", calendar="jalali",
                               currency="IRR", amounts_in_toman=True)


@pytest.fixture
def bangkok(db):
    return OrganizationFactory(code="bangkok", name="กรุงเทพ", time_zone="Asia/Bangkok", calendar="buddhist")


@pytest.fixture
def seen():
    """The active context (and a stored 200,000 rial as a money box shows it) at each render."""
    found: list[tuple[ShopContext, str]] = []

    def record(**_kwargs):
        found.append((active_shop(), amount_shown("200000")))

    template_rendered.connect(record, dispatch_uid="test-shop-context")
    yield found
    template_rendered.disconnect(dispatch_uid="test-shop-context")


def staff_client(organization) -> Client:
    client = Client()
    client.force_login(StaffFactory(organization=organization, role=Role.OWNER).user)
    return client


def test_the_persian_shops_context():
    shop = SimpleNamespace(time_zone="Asia/Tehran", calendar="jalali", currency="IRR", amounts_in_toman=True)
    context = shop_context_of(shop)
    assert (context.zone, context.calendar, context.currency.unit_code(), context.week_start) == (
        "Asia/Tehran", "jalali", "TOMAN", SATURDAY)
    assert shop_context_of(None) == SERVER
    assert shop_context_of("Asia/Tehran") == ShopContext(zone="Asia/Tehran")  # a zone alone: that zone only


def test_the_week_follows_the_calendar_the_periods_follow():
    assert week_start(SimpleNamespace(calendar="jalali")) == SATURDAY
    assert week_start(SimpleNamespace(calendar="buddhist")) == SUNDAY
    assert week_start(SimpleNamespace(calendar="gregorian")) == MONDAY
    # a shop whose periods do not follow its calendar counts ISO weeks, as it counts Gregorian months
    assert week_start(SimpleNamespace(calendar="jalali", periods_follow_calendar=False)) == MONDAY
    assert week_start(None) == MONDAY


def test_a_request_and_a_job_see_the_same_context(tehran, seen):
    # given the Tehran shop's owner on the back office
    response = staff_client(tehran).get("/audit/")
    assert response.status_code == 200
    in_request = set(seen)
    # when a job for the shop runs on the worker
    in_job = []
    job = jobs.job_register("test_shop_context", lambda **_kw: in_job.append((active_shop(), amount_shown("200000")))
                            or {}, order=999)
    try:
        result = jobs.job_run(job, on_date=dt.date(2026, 11, 28), organization_id=tehran.pk, force=True)
    finally:
        jobs.job_forget("test_shop_context")
    # then both see Tehran's zone, the Jalali calendar and toman (200,000 rial is 20000 toman)
    assert result.outcome == "done"
    assert in_request == set(in_job) == {(shop_context_of(tehran), "20000")}
    # and the worker is back in the server's context afterwards
    assert active_shop() == SERVER


def test_a_thai_request_after_a_persian_one_on_the_same_thread_is_thai(tehran, bangkok, seen):
    # given a Persian request served on this thread
    staff_client(tehran).get("/audit/")
    assert {context.zone for context, _shown in seen} == {"Asia/Tehran"}
    assert active_shop() == SERVER
    seen.clear()
    # when a Thai shop's request follows on the same thread
    staff_client(bangkok).get("/audit/")
    # then it is Thai: Bangkok, the Buddhist era, baht as stored
    assert set(seen) == {(shop_context_of(bangkok), "200000")}
    assert shop_context_of(bangkok).currency.unit_code() == "THB"
    assert active_shop() == SERVER


def test_a_portal_page_activates_the_shop_and_the_next_request_starts_clean(tehran, seen):
    # given a member of the Tehran shop in its portal (the view finds the organization in the URL)
    member = MemberFactory(organization=tehran, member_type=MemberTypeFactory(organization=tehran, is_default=True))
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = portal_session_create(member)
    assert client.get(f"/m/{tehran.code}/").status_code == 200
    assert {context for context, _shown in seen} == {shop_context_of(tehran)}
    seen.clear()
    # when someone with no shop opens the back office's login page next
    assert Client().get("/login/").status_code == 200
    # then it renders in the server's context
    assert set(seen) == {(SERVER, "200000")}


def test_a_task_block_undoes_what_it_activated(tehran):
    with shop_zone(tehran):
        assert active_shop() == shop_context_of(tehran)
        with shop_zone("Asia/Bangkok"):
            assert active_shop() == ShopContext(zone="Asia/Bangkok")
        assert active_shop() == shop_context_of(tehran)
    assert active_shop() == SERVER
