"""A kept connection is health-checked (``SELECT 1``) at a request's start only when it sat idle:
a connection a request used a moment ago, without an error, is not checked again
(``core.db_session``)."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import connections

from sasom.core import db_session


@pytest.fixture
def checks(monkeypatch):
    """Health checks on, and each ``is_usable`` call counted (the connection stays usable)."""
    calls: list[bool] = []
    connection = connections["default"]  # the wrapper itself: a patch through the proxy is not undone cleanly
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    monkeypatch.setattr(connection, "is_usable", lambda: calls.append(True) or True)
    return calls


def _request() -> None:
    connection = connections["default"]
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_back_to_back_requests_are_not_checked_and_one_after_idle_is(checks, monkeypatch):
    connection = connections["default"]
    # given a connection a first request opened and used (checked: nothing known of it yet)
    connection.ensure_connection()
    _request()
    first = len(checks)
    # when two more requests follow at once
    _request()
    _request()
    # then neither checks the connection
    assert len(checks) == first
    # and when the connection then sits idle longer than the threshold, the next request checks it once
    monkeypatch.setattr(connection, "sasom_used_at", connection.sasom_used_at - db_session.IDLE_SECONDS - 1,
                        raising=False)
    _request()
    assert len(checks) == first + 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_whose_request_saw_an_error_is_checked_at_once(checks, monkeypatch):
    connection = connections["default"]
    connection.ensure_connection()
    _request()
    first = len(checks)
    # given the last request ended with an error on the connection (Django checks it then itself)
    monkeypatch.setattr(connection, "errors_occurred", True)
    # when the next request starts right away, the connection is checked before it is used
    _request()
    assert len(checks) > first
