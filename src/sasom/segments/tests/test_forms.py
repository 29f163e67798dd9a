"""The shared segment form: the conditions it builds, and the builder's errors shown on the field
of the condition that caused them."""

from __future__ import annotations

import pytest

from sasom.core.errors import DomainError
from sasom.segments.builder import segment_clean
from sasom.segments.forms import SegmentForm, condition_field


def test_conditions_from_the_form_and_errors_on_the_right_field():
    # given points earned in a period and a balance, both with a "min_points" parameter
    form = SegmentForm({"points_from": "2026-06-01", "points_to": "2026-06-30", "points_at_least": "10",
                        "balance_at_least": "500", "birth_months": ["6"]}, member_types=[])
    assert form.is_valid(), form.errors
    # when
    conditions = form.conditions()
    # then the balance is its own condition, and each error lands on its own field
    assert [c["kind"] for c in conditions] == ["birth_month", "points_earned", "balance"]
    assert conditions[2] == {"kind": "balance", "min_points": 500}
    assert form.error_field("conditions.2.min_points") == "balance_at_least"
    assert form.error_field("conditions.1.min_points") == "points_at_least"
    assert form.error_field("conditions.0.months") == "birth_months"
    assert form.error_field("conditions.0.kind") is None
    assert form.error_field("name") is None  # not a field of this form: a form-wide error


def test_the_builder_refusal_names_a_field_the_form_shows():
    form = SegmentForm({"spent_from": "2026-06-30", "spent_to": "2026-06-01"}, member_types=[])
    assert form.is_valid(), form.errors
    with pytest.raises(DomainError) as exc:
        segment_clean(form.conditions())
    form.add_segment_error(exc.value.field, exc.value.message)
    assert "spent_to" in form.errors


def test_condition_field_without_the_list_takes_the_first_field_of_the_parameter():
    assert condition_field("conditions.3.ids") == "member_types"
    assert condition_field("conditions.3.min_points") == "points_at_least"
    assert condition_field("conditions.3.statuses") == "marital_statuses"
    assert condition_field("conditions") is None
    assert condition_field("channel") == "channel"
    assert condition_field(None) is None


def test_a_screen_may_leave_out_fields_it_asks_itself():
    form = SegmentForm(member_types=[], exclude=("member_types", "consent"))
    assert "member_types" not in form.fields and "consent" not in form.fields and "tags" in form.fields
