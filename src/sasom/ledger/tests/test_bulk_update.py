"""``update_from_values``: a column of plain values goes to PostgreSQL as it is, anything else
prepared by its field, value by value, as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from sasom.integrations.models import BatchDocument
from sasom.ledger.models import PointAccount
from sasom.ledger.services.bulk_update import _column_values


def _prepared(model, name, values):
    field = model._meta.get_field(name)
    return [field.get_db_prep_save(v, connection) for v in values]


@pytest.mark.parametrize(("model", "name", "values"), [
    (PointAccount, "spendable", [0, 5, 10**12, None]),
    (PointAccount, "member", [1, 2, None]),
    (BatchDocument, "reason", ["", "ไม่พบสมาชิก", None]),
    (PointAccount, "updated_at", [dt.datetime(2026, 11, 29, 6, tzinfo=dt.UTC), None]),
])
@pytest.mark.django_db
def test_plain_columns_go_as_they_are(model, name, values):
    # given a column of plain values
    field = model._meta.get_field(name)
    # when it is prepared
    out = _column_values(field, values)
    # then it is the very list (no call per value) and, on PostgreSQL, what the field prepares
    assert out is values
    if connection.vendor == "postgresql":
        assert out == _prepared(model, name, values)


@pytest.mark.django_db
def test_other_values_are_prepared_by_their_field():
    # given a status column of choices, an integer column with a text among ints, a naive datetime
    cases = [
        (BatchDocument, "status", [BatchDocument.Status.POSTED, "rejected"]),
        (PointAccount, "spendable", [1, "2"]),
        (PointAccount, "sale_count", [True, 3]),
    ]
    for model, name, values in cases:
        field = model._meta.get_field(name)
        # when prepared
        out = _column_values(field, values)
        # then each value went through the field, as before
        assert out is not values
        assert out == _prepared(model, name, values)
