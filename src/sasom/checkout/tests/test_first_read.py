"""Without Django's per-request health check (settings), a sale's first read retries once on a
fresh connection when the kept one died while idle, and only outside a transaction."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, transaction

from sasom.checkout.member_ref import first_read as _first_read


class _DiesOnce:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "member"


@pytest.mark.django_db(transaction=True)
def test_a_dead_connection_is_replaced_and_the_read_done_again(monkeypatch):
    # given a kept connection that fails its first statement
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    read = _DiesOnce()
    # when the sale's first read runs
    # then it is read again once, after the connection was closed
    assert _first_read(read) == "member"
    assert (read.calls, closed) == (2, [True])


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_error_stands():
    # given a transaction already open: its earlier work is lost with the connection
    read = _DiesOnce()
    with pytest.raises(OperationalError), transaction.atomic():
        _first_read(read)
    assert read.calls == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_failure_is_not_retried_again(monkeypatch):
    # given a database that stays down
    monkeypatch.setattr(connection, "close", lambda: None)

    def down() -> str:
        raise OperationalError("connection refused")

    # then the error reaches the caller after one retry (Django answers 500 and drops the connection)
    with pytest.raises(OperationalError):
        _first_read(down)
