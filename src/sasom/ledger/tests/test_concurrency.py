"""Many cashiers on one account at once, with real threads and real row locks (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.services import account_for, points_adjust, points_spend, sale_post
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, basket
from sasom.testing.factories import TerminalFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)


def test_eight_tills_earning_and_spending_on_one_card(transactional_db, org, branch, member):
    # given a family card with 1,000 points, used at eight tills at once
    account = account_for(member)
    points_adjust(account=account, points=1000, reason="opening balance", actor=Actor.system())
    tills = [TerminalFactory(organization=org, branch=branch, code=f"T{i}") for i in range(8)]
    errors: list[BaseException] = []

    def cashier(i: int) -> None:
        try:
            for n in range(10):
                sale_post(organization=org, branch=branch, terminal=tills[i], receipt_id=f"{i}-{n}",
                          basket=basket("150.00", when=at(2026, 3, 1)), member=member, actor=Actor.system(f"till{i}"))
                points_spend(account=account, points=2, actor=Actor.system(f"till{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when each till rings up ten 150 THB sales (1 pt each) and redeems 2 points after each
    _run([threading.Thread(target=cashier, args=(i,)) for i in range(8)])
    # then the balance is exactly 1,000 + 80 - 160
    assert errors == []
    account.refresh_from_db()
    assert (account.spendable, account.sale_count) == (920, 80)
    assert Entry.objects.filter(kind="redeem").count() == 80
    assert_ledger_consistent(account)


def test_racing_redemptions_never_overdraw(transactional_db, org, member):
    # given 50 points and twenty redemptions of 5 arriving at the same moment
    account = account_for(member)
    points_adjust(account=account, points=50, reason="opening balance", actor=Actor.system())
    refused: list[str] = []
    barrier = threading.Barrier(20)

    def redeem() -> None:
        try:
            barrier.wait()
            points_spend(account=account, points=5, actor=Actor.system())
        except DomainError as err:
            refused.append(err.code)
        finally:
            connection.close()

    _run([threading.Thread(target=redeem) for _ in range(20)])
    # then exactly ten succeed, ten are refused, and the balance is zero, never negative
    assert refused == ["insufficient_points"] * 10
    assert PointAccount.objects.get(pk=account.pk).spendable == 0
    assert_ledger_consistent(account)
