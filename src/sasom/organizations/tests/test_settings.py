"""Organization settings: only the owner changes them, and bad values never get stored."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.organizations import services
from sasom.organizations.models import Organization, Role, Sequence
from sasom.testing.factories import BranchFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "มินิมาร์ทสะสม",
    "currency": "THB",
    "time_zone": "Asia/Bangkok",
    "member_code_pattern": "MM{yy}{seq:05d}",
    "phone_region": "th",
    "calendar": "buddhist",
    "language": "th",
    "sales_since": None,
}


def test_owner_renames_the_shop_and_changes_the_code_pattern(org, system_actor):
    services.organization_update(organization=org, actor=system_actor, **{**VALID, "currency": "thb"})
    org.refresh_from_db()
    assert (org.name, org.currency, org.phone_region, org.member_code_pattern) == (
        "มินิมาร์ทสะสม", "THB", "TH", "MM{yy}{seq:05d}",
    )
    event = AuditEvent.objects.get(action="organization.update")
    assert event.changes["member_code_pattern"] == ["M{seq:07d}", "MM{yy}{seq:05d}"]
    assert "time_zone" not in event.changes


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("time_zone", "Asia/Bangkock", services.TIME_ZONE_INVALID),
        ("time_zone", "../etc/passwd", services.TIME_ZONE_INVALID),
        ("currency", "บาท", services.CURRENCY_INVALID),
        ("member_code_pattern", "M{yy}", services.CODE_PATTERN_INVALID),
        ("member_code_pattern", "M{seq", services.CODE_PATTERN_INVALID),
        ("member_code_pattern", "M{seq}{secret}", services.CODE_PATTERN_INVALID),
        ("member_code_pattern", "M{seq:d}{seq.__class__}", services.CODE_PATTERN_INVALID),
        ("member_code_pattern", "M{seq:xyz}", services.CODE_PATTERN_INVALID),
        ("phone_region", "XX", services.PHONE_REGION_INVALID),
        ("language", "xx", services.LANGUAGE_INVALID),
    ],
)
def test_bad_settings_are_refused_on_their_field(org, system_actor, field, value, code):
    with pytest.raises(DomainError) as exc:
        services.organization_update(organization=org, actor=system_actor, **{**VALID, field: value})
    assert (exc.value.code, exc.value.field) == (code, field)
    assert Organization.objects.get(pk=org.pk).name == "มินิมาร์ท"


def test_preview_shows_the_next_code_without_using_it(org):
    Sequence.objects.create(organization=org, name=services.MEMBER_CODE_SEQUENCE, value=41)
    assert services.member_code_preview(org) == "M0000042"
    assert services.member_code_preview(org, "S-{seq}") == "S-42"
    BranchFactory(organization=org, code="B7")
    assert services.member_code_preview(org, "{branch}-{seq:04d}") == "B7-0042"
    assert Sequence.objects.get(organization=org).value == 41


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.CASHIER])
def test_settings_screen_is_for_owners_only(staff_client, role):
    assert staff_client(role).get("/org/settings/").status_code == 403


def test_owner_saves_settings_on_the_screen(staff_client, org):
    client = staff_client(Role.OWNER)
    response = client.get("/org/settings/")
    assert response.status_code == 200
    assert response.context["preview"] == "M0000001"
    response = client.post("/org/settings/", {**VALID, "time_zone": "Asia/Tokyo", "sales_since": "2026-11-01"})
    assert response.status_code == 302
    saved = Organization.objects.get(pk=org.pk)
    assert (saved.time_zone, saved.sales_since) == ("Asia/Tokyo", dt.date(2026, 11, 1))


def test_a_bad_time_zone_comes_back_as_a_form_error(staff_client, org):
    response = staff_client(Role.OWNER).post("/org/settings/", {**VALID, "time_zone": "Bangkok", "sales_since": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert Organization.objects.get(pk=org.pk).time_zone == "Asia/Bangkok"


def test_the_preview_reads_the_counter_the_members_app_bumps():
    from sasom.members.services import MEMBER_CODE_SEQUENCE

    assert services.MEMBER_CODE_SEQUENCE == MEMBER_CODE_SEQUENCE


def test_owner_chooses_the_jalali_calendar(org, system_actor):
    # given a Thai shop on Buddhist-era years
    assert (org.calendar, org.buddhist_era) == ("buddhist", True)
    # when the owner chooses Jalali with Persian digits
    services.organization_update(organization=org, actor=system_actor,
                                 **{**VALID, "calendar": "jalali", "persian_digits": True})
    # then the shop writes Jalali days, its periods follow them, and the change is audited
    org.refresh_from_db()
    assert (org.calendar, org.periods_follow_calendar, org.persian_digits, org.buddhist_era) == (
        "jalali", True, True, False)
    event = AuditEvent.objects.get(action="organization.update")
    assert event.changes["calendar"] == ["buddhist", "jalali"]


def test_an_unknown_calendar_is_refused_on_its_field(org, system_actor, staff_client):
    with pytest.raises(DomainError) as exc:
        services.organization_update(organization=org, actor=system_actor, **{**VALID, "calendar": "lunar"})
    assert (exc.value.code, exc.value.field) == (services.CALENDAR_INVALID, "calendar")
    response = staff_client(Role.OWNER).post("/org/settings/", {**VALID, "calendar": "lunar", "sales_since": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["calendar"]
    assert Organization.objects.get(pk=org.pk).calendar == "buddhist"


def test_the_old_boolean_still_builds_the_same_shops():
    assert Organization(name="x", buddhist_era=True).calendar == "buddhist"
    assert Organization(name="x", buddhist_era=False).calendar == "gregorian"
    jalali = Organization(name="x", calendar="jalali")
    jalali.buddhist_era = False
    assert jalali.calendar == "jalali"


def test_the_owner_makes_persian_the_shops_language(staff_client, org):
    response = staff_client(Role.OWNER).post("/org/settings/", {**VALID, "language": "fa", "calendar": "jalali",
                                                                "sales_since": ""})
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).language == "fa"
    assert AuditEvent.objects.get(action="organization.update").changes["language"] == ["th", "fa"]


def test_the_currency_is_chosen_from_the_offered_ones(staff_client, org):
    client = staff_client(Role.OWNER)
    page = client.get("/org/settings/")
    assert [c for c, _label in page.context["form"].fields["currency"].choices] == ["THB", "USD", "EUR", "IRR"]
    response = client.post("/org/settings/", {**VALID, "currency": "JPY", "sales_since": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["currency"]
    assert Organization.objects.get(pk=org.pk).currency == "THB"
