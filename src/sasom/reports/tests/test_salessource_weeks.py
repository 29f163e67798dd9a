"""The sales source's periods are the shop's (``salessource.period_of``, decision 0010): a Jalali
shop's week starts on Saturday on the daily summary and on the raw sales alike (the Tehran shop
of ``test_periods_weeks``: 100 on Friday 14 March 2025, 200 + 300 + 400 in the week of Saturday
15 March, across Nowruz, 500 just after midnight on Saturday 22 March, Tehran time).

And the summary tables answer a member's deletion by an index: Django's cascade looks the rows up
by ``member_id`` alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sasom.members.models import Member
from sasom.organizations.models import Role
from sasom.reports.salessource import measures_of, period_of, sales_of
from sasom.reports.summary_models import DailyLineSales, DailyMemberSales
from sasom.reports.tests.test_periods_weeks import TEHRAN, scope, tehran  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "raw-sales"])
def test_weeks_of_the_sales_source_start_on_the_shops_first_weekday(tehran, make_staff, summary):  # noqa: F811
    owner = make_staff(Role.OWNER)
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        weeks = scope(owner, TEHRAN, *MARCH)
        per_week = {r["week"]: r["amount"] for r in sales_of(weeks).annotate(week=period_of(weeks, "week"))
                    .order_by().values("week").annotate(amount=measures_of(weeks)["amount"])}
    assert per_week == {dt.date(2025, 3, 8): Decimal("100.00"), dt.date(2025, 3, 15): Decimal("900.00"),
                        dt.date(2025, 3, 22): Decimal("500.00")}
    # the same shop not following its calendar: ISO weeks, from Monday
    tehran.org.periods_follow_calendar = False
    tehran.org.save(update_fields=["periods_follow_calendar"])
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        weeks = scope(owner, TEHRAN, *MARCH)
        iso = {r["week"] for r in sales_of(weeks).annotate(week=period_of(weeks, "week")).order_by().values("week")}
    assert iso == {dt.date(2025, 3, 10), dt.date(2025, 3, 17)}


def test_a_member_deletion_finds_its_summary_rows_by_member_id_and_each_table_has_that_index(tehran, make_staff):  # noqa: F811
    owner = make_staff(Role.OWNER)
    sales_of(scope(owner, TEHRAN, *MARCH)).count()  # builds the summary of March
    somchai = tehran.somchai
    assert DailyMemberSales.objects.filter(member=somchai).exists()
    assert DailyLineSales.objects.filter(member=somchai).exists()
    # when Django collects what deleting a member takes with it (the ledger's rows protect a real one)
    from django.contrib.admin.utils import NestedObjects  # noqa: PLC0415 - Django's own collector, test only

    collector = NestedObjects(using="default")
    with CaptureQueriesContext(connection) as queries:
        collector.collect(list(Member.objects.filter(pk=somchai.pk)))
    lookups = [q["sql"] for q in queries.captured_queries if "reports_daily" in q["sql"]]
    # then each summary table is looked up by member_id alone, no organization
    wheres = [q.split(" WHERE ")[-1] for q in lookups]
    assert len(wheres) == 2 and all("member_id" in w and "organization_id" not in w for w in wheres)
    # and each table has an index that starts with member_id
    for model in (DailyMemberSales, DailyLineSales):
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        assert any(c["index"] and c["columns"][:1] == ["member_id"] for c in found.values()), model.__name__
