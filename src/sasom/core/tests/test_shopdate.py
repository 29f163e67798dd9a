import datetime as dt

from django.template import Context, Template
from django.utils import translation

from sasom.organizations.models import Organization


def render(value, org, lang, extra=""):
    with translation.override(lang):
        return Template("{% load sasom %}{% shopdate value " + extra + " %}").render(
            Context({"value": value, "organization": org}))


def test_thai_shops_read_buddhist_era_years():
    org = Organization(name="x", buddhist_era=True, time_zone="Asia/Bangkok")
    assert render(dt.date(2026, 11, 24), org, "th") == "24/11/2569"
    assert render(dt.date(2026, 11, 24), org, "en") == "2026-11-24"
    org.buddhist_era = False
    assert render(dt.date(2026, 11, 24), org, "th") == "2026-11-24"


def test_datetimes_show_in_the_shop_zone():
    org = Organization(name="x", buddhist_era=True, time_zone="Asia/Bangkok")
    at = dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.UTC)  # 00:30 next day in Bangkok
    assert render(at, org, "th", "with_time=True") == "25/11/2569 00:30"
    assert render(None, org, "th", 'empty="—"') == "—"
