"""The member points panel's history (B5, docs/performance.md): any page costs the same queries,
and the page read through the index holds the entries an OFFSET over the whole history would.
(The awards and their explanations on the panel: test_views.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.ledger.models import Entry
from sasom.ledger.selectors import entries_for
from sasom.ledger.services import account_for, points_adjust
from sasom.organizations.models import Role


@pytest.fixture
def history(member):
    """45 adjustments; pairs share a moment, so the order falls back on the id."""
    account = account_for(member)
    start = dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC)
    for n in range(45):
        points_adjust(account=account, points=1 + n, reason=f"history {n}", actor=Actor.system("test"),
                      now=start + dt.timedelta(hours=n // 2))
    return account


def test_every_page_holds_what_an_offset_over_the_history_holds(history):
    # given the whole history, newest first (then the highest id)
    every = list(Entry.objects.filter(account=history).order_by("-occurred_at", "-id").values_list("id", flat=True))
    # when each page is read, and pages out of range
    pages = [[e.id for e in entries_for(history, n)] for n in (1, 2, 3)]
    # then each is its slice of the whole, in order; a bad page is the first, a far one the last
    assert pages == [every[0:20], every[20:40], every[40:45]]
    assert [e.id for e in entries_for(history, "x")] == every[0:20]
    assert [e.id for e in entries_for(history, 99)] == every[40:45]
    assert entries_for(history, 3).paginator.num_pages == 3


def test_a_deep_page_costs_the_queries_of_the_first(staff_client, member, history, django_assert_num_queries):
    client = staff_client(Role.CASHIER)
    url = reverse("ledger:member_points", args=[member.pk])
    client.get(url)  # the session's first request reads what later ones keep
    # when the first and the last page are shown
    with django_assert_num_queries(10):
        first = client.get(url)
    with django_assert_num_queries(10):
        last = client.get(url, {"page": 3})
    # then both show their rows and the pager
    body = last.content.decode()
    assert first.status_code == last.status_code == 200
    assert "history 4<" in body and "history 5<" not in body and "history 44" not in body
    assert "history 44" in first.content.decode()
    assert "3 / 3" in body
