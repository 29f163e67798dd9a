"""Portal news aimed at a segment: a member sees it only when the segment holds them, and a page of
news costs the same queries however many items aim at segments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.portal.models import News
from sasom.portal.news import news_for_member, news_save
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
TODAY = dt.date(2026, 5, 15)


def save(org, title, conditions=(), **kw):
    data = {"title": title, "starts_on": dt.date(2026, 5, 1), "is_published": True, "conditions": list(conditions),
            **kw}
    return news_save(organization_id=org.pk, data=data, actor=SYSTEM)


@pytest.fixture
def people(org, member_type):
    def make(code, phone, **kw):
        return MemberFactory(organization=org, member_type=member_type, code=code, phone=phone, **kw)

    return {"wine": make("WINE", "+66811111111", tags=["wine"], birth_on=dt.date(1990, 5, 3)),
            "beer": make("BEER", "+66822222222", tags=["beer"], birth_on=dt.date(1990, 8, 3))}


def test_news_for_a_segment_reaches_only_its_members(org, people):
    # given news for everybody, for wine lovers, for those born in May who like wine, for the consenting
    save(org, "Everyone")
    save(org, "Wine week", [{"kind": "tags", "tags": ["wine"]}])
    save(org, "May wine", [{"kind": "tags", "tags": ["wine"]}, {"kind": "birth_month", "months": [5]}])
    save(org, "Consented", [{"kind": "marketing_consent", "granted": True}])
    # when each member opens the portal, then each sees what their segments hold
    assert sorted(n.title for n in news_for_member(people["wine"], TODAY)) == ["Everyone", "May wine", "Wine week"]
    assert [n.title for n in news_for_member(people["beer"], TODAY)] == ["Everyone"]
    # and a member who becomes part of a segment sees it the next time
    people["beer"].marketing_consent = True
    people["beer"].save()
    assert sorted(n.title for n in news_for_member(people["beer"], TODAY)) == ["Consented", "Everyone"]


def test_a_list_of_segmented_news_costs_the_same_queries_for_one_item_or_many(org, people):
    save(org, "Wine 0", [{"kind": "tags", "tags": ["wine"]}])
    member = people["wine"]
    with CaptureQueriesContext(connection) as one:
        assert len(news_for_member(member, TODAY, time_zone=org.time_zone)) == 1
    for i in range(1, 6):
        save(org, f"Wine {i}", [{"kind": "tags", "tags": ["wine"]}, {"kind": "spend", "from_on": "2026-01-01",
                                                                      "to_on": "2026-12-31", "max_amount": "1000"}])
    save(org, "Beer", [{"kind": "tags", "tags": ["beer"]}])
    with CaptureQueriesContext(connection) as many:
        assert len(news_for_member(member, TODAY, time_zone=org.time_zone)) == 6
    # the news rows, then one query asking every segment at once
    assert len(one.captured_queries) == len(many.captured_queries) == 2


def test_the_portal_pages_show_segmented_news_to_members_inside_only(org, people, portal):
    wine = save(org, "Wine week", [{"kind": "tags", "tags": ["wine"]}], starts_on=timezone.localdate())
    inside = portal.log_in(Client(), people["wine"])
    outside = portal.log_in(Client(), people["beer"])
    assert "Wine week" in inside.get(f"/m/{org.code}/news/").content.decode()
    assert inside.get(f"/m/{org.code}/news/{wine.pk}/").status_code == 200
    assert "Wine week" not in outside.get(f"/m/{org.code}/news/").content.decode()
    assert "Wine week" not in outside.get(f"/m/{org.code}/").content.decode()
    assert outside.get(f"/m/{org.code}/news/{wine.pk}/").status_code == 404
    # the news page costs the same with five more segmented items
    with CaptureQueriesContext(connection) as one:
        inside.get(f"/m/{org.code}/news/")
    for i in range(5):
        save(org, f"More {i}", [{"kind": "tags", "tags": ["wine", "cheese"]}], starts_on=timezone.localdate())
    with CaptureQueriesContext(connection) as six:
        page = inside.get(f"/m/{org.code}/news/").content.decode()
    assert "More 4" in page
    assert len(six.captured_queries) == len(one.captured_queries)


def test_a_bad_segment_is_refused_naming_the_condition(org):
    with pytest.raises(DomainError) as exc:
        save(org, "Bad", [{"kind": "birth_month", "months": [13]}])
    assert exc.value.field == "conditions.0.months"
    assert not News.objects.exists()


def test_marketing_aims_news_at_a_segment_and_edits_it_keeping_it(staff_client, org, people):
    marketing = staff_client("marketing")
    page = marketing.get("/news/new/").content.decode()
    assert 'name="segment-tags"' in page and 'name="segment-last_purchase_before"' in page
    token = page.split('name="_form_token" value="')[1].split('"')[0]
    answer = marketing.post("/news/new/", {
        "title": "Wine week", "starts_on": "2026-05-01", "is_published": "on", "sort_order": "0",
        "segment-tags": "wine, cheese", "segment-birth_months": ["5"], "segment-consent": "yes",
        "_form_token": token})
    assert answer.status_code == 302
    row = News.objects.get()
    assert row.conditions == [{"kind": "birth_month", "months": [5]}, {"kind": "tags", "tags": ["cheese", "wine"]},
                              {"kind": "marketing_consent", "granted": True}]
    # the edit page shows the segment as saved, and a bad condition shows on its field
    edit = marketing.get(f"/news/{row.pk}/")
    segment = edit.context["segment"]
    assert segment["tags"].value() == "cheese, wine" and segment["consent"].value() == "yes"
    token = edit.content.decode().split('name="_form_token" value="')[1].split('"')[0]
    bad = marketing.post(f"/news/{row.pk}/", {
        "title": "Wine week", "starts_on": "2026-05-01", "sort_order": "0", "segment-min_age": "60",
        "segment-max_age": "20", "_form_token": token})
    assert bad.status_code == 200 and "max_age" in bad.context["segment"].errors
    assert News.objects.get().conditions == row.conditions
