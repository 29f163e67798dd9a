"""The counts a limited promotion's pricing reads (``promotions.uses.uses_read``): the till's
unlocked read is one statement (the promotions' bills and this member's, as a subquery) and
answers what the commit's locked read answers (two statements: the lock, then the member's
bills, so that a use committed while the lock waited is seen)."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.promotions.models import PromotionUse
from sasom.promotions.uses import uses_read


def test_the_unlocked_read_is_one_statement_with_the_locked_reads_counts(shop, vip, pos):
    # given a budgeted promotion, a per-member-limited one and one with both, and two VIP bills
    budget = promotion(shop, "BUDGET", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=5)
    mine = promotion(shop, "MINE", "qty_percent", {"bands": [{"from": 1, "value": "5"}]}, ["CHIPS"],
                     per_member_limit=3, stacks=True)
    both = promotion(shop, "BOTH", "qty_percent", {"bands": [{"from": 1, "value": "1"}]}, ["CHIPS"],
                     budget=9, per_member_limit=4, stacks=True)
    for n in (1, 2):
        assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt=f"R-{n}")).status_code == 201
    used = set(PromotionUse.objects.filter(member=vip).values_list("promotion_id", flat=True))
    assert used  # the bills used at least one of them
    args = dict(budgeted=[budget.pk, both.pk], per_member=[mine.pk, both.pk], member_id=vip.pk)
    # when the counts are read without and with the lock
    with CaptureQueriesContext(connection) as unlocked_queries:
        unlocked = uses_read(shop.pk, **args)
    with transaction.atomic(), CaptureQueriesContext(connection) as locked_queries:
        locked = uses_read(shop.pk, **args, lock=True)
    # then the same counts, the unlocked read in one statement
    assert unlocked == locked
    by_member, total = unlocked
    assert total == {pk: PromotionUse.objects.filter(promotion_id=pk, reversed=False).count()
                     for pk in (budget.pk, both.pk)}
    assert by_member == {pk: PromotionUse.objects.filter(promotion_id=pk, member=vip).count()
                         for pk in (mine.pk, both.pk) if pk in used}
    assert len(unlocked_queries.captured_queries) == 1
    assert len(locked_queries.captured_queries) == 2


def test_a_walk_in_reads_no_member_counts(shop, pos):
    limited = promotion(shop, "MINE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"],
                        per_member_limit=1, budget=2)
    with CaptureQueriesContext(connection) as queries:
        counts = uses_read(shop.pk, budgeted=[limited.pk], per_member=[limited.pk], member_id=None)
    assert counts == ({}, {limited.pk: 0})
    assert len(queries.captured_queries) == 1
