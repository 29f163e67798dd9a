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
