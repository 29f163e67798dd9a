from __future__ import annotations

import datetime as dt

from sasom.ledger.demo import make_demo_sales
from sasom.ledger.models import Sale
from sasom.testing.factories import MemberFactory


def test_demo_sales_give_members_balances_and_history(org, terminal, member_type):
    # given a shop with a till and some members
    members = [MemberFactory(organization=org, member_type=member_type) for _ in range(5)]
    # when three days of demo sales are posted (twice: the second run posts nothing new)
    posted = make_demo_sales(org, days=3, seed=7, members=members, per_day=6, today=dt.date(2026, 3, 10))
    again = make_demo_sales(org, days=3, seed=7, members=members, per_day=6, today=dt.date(2026, 3, 10))
    # then 18 sales exist, members earned points, one was returned and one voided
    assert (posted, again) == (18, 0)
    assert Sale.objects.count() == 18
    assert Sale.objects.filter(points_earned__gt=0).exists()
    assert Sale.objects.filter(status="voided").count() == 1
    assert Sale.objects.filter(status="returned").count() + Sale.objects.filter(status="partly_returned").count() == 1
