"""The last unit of a promotion's budget, wanted by several tills at once (PostgreSQL row locks):
exactly one sale gets it, the others are posted without it (checkout.promo_commit)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from sasom.catalog.pricing import LineIn
from sasom.checkout import services
from sasom.checkout.tests.promo_shop import promotion
from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.models import SaleLine
from sasom.promotions.models import Promotion, PromotionUse
from sasom.testing.factories import TerminalFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_four_tills_race_for_the_last_bill_of_a_budget(transactional_db, shop, branch):
    # given "buy 2 get 1" on chips with a budget of one bill, and four tills
    row = promotion(shop, "LAST", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=1)
    tills = [TerminalFactory(organization=shop, branch=branch, code=f"T{i}") for i in range(4)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    when = dt.datetime(2026, 11, 24, 5, 30, tzinfo=dt.UTC)

    def cashier(i: int) -> None:
        try:
            barrier.wait()
            services.sale_commit(
                organization=shop, branch=branch, terminal=tills[i], receipt_id=f"R-{i}",
                basket=engine.Basket(occurred_at=when, lines=(), branch_code=branch.code, terminal_code=tills[i].code),
                sent=(LineIn(line_no=1, code="CHIPS", quantity=Decimal("3"), unit_price=None),),
                actor=Actor.system(f"till{i}"),
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when the four commit 3 bags each at the same moment
    threads = [threading.Thread(target=cashier, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then every sale is posted, one of them with the free bag, and the budget is spent once
    assert errors == []
    discounts = sorted(SaleLine.objects.values_list("promotion_discount", flat=True))
    assert discounts == [Decimal("0.00")] * 3 + [Decimal("20.00")]
    assert PromotionUse.objects.count() == 1
    assert Promotion.objects.get(pk=row.pk).uses == 1


def test_a_partial_return_giving_the_budget_back_races_a_new_sale(transactional_db, shop, branch):
    # given the one bill of a budget spent by a sale of 3 bags, and a second till
    row = promotion(shop, "LAST", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=1)
    tills = [TerminalFactory(organization=shop, branch=branch, code=f"T{i}") for i in range(2)]
    when = dt.datetime(2026, 11, 24, 5, 30, tzinfo=dt.UTC)

    def sell(i: int) -> None:
        services.sale_commit(
            organization=shop, branch=branch, terminal=tills[i], receipt_id=f"R-{i}",
            basket=engine.Basket(occurred_at=when, lines=(), branch_code=branch.code, terminal_code=tills[i].code),
            sent=(LineIn(line_no=1, code="CHIPS", quantity=Decimal("3"), unit_price=None),),
            actor=Actor.system(f"till{i}"),
        )

    sell(0)
    sale = SaleLine.objects.get().sale
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(job) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when a bag of the first sale comes back (its remainder loses the promotion) while the
    # second till sells 3 bags
    jobs = [lambda: services.sale_return(sale=sale, lines={1: Decimal("1")}, actor=Actor.system("desk"),
                                         return_id="RT-1"),
            lambda: sell(1)]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then the count is the uses not reversed, never above the budget, and the second sale got the
    # free bag exactly when it is the one counted
    assert errors == []
    live = PromotionUse.objects.filter(reversed=False)
    assert Promotion.objects.get(pk=row.pk).uses == live.count() <= 1
    assert PromotionUse.objects.get(sale=sale).reversed is True
    second = SaleLine.objects.get(sale__receipt_id="R-1")
    assert (second.promotion_discount == Decimal("20.00")) == live.filter(sale=second.sale).exists()
