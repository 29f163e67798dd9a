"""B1's reference (a) replays recorded plans of either wire format (bench/refs.py): it calls the
function the recording named and gives each plan a fresh receipt at that format's path."""

from __future__ import annotations

import json

from bench.refs import SCRIPT, _call_of, _member_of


def test_a_plan_of_format_2_is_replayed_through_its_function_at_its_receipts_position():
    # given a recorded call of wire format 2 (a positional array)
    plan = json.dumps([1, 2, 3, "R-9", "retail_receipt", "t", "t", 42, False, 0])
    # when the reference reads it
    function, path, first = _call_of("SELECT * FROM sasom_sale_post2($1)", plan)
    # then it replays it through that function, the receipt at position 3
    assert (function, path, first, _member_of(plan)) == ("sasom_sale_post2", "{3}", False, 42)
    script = SCRIPT.format(count=5, function=function, receipt_path=path)
    assert "sasom_sale_post2((SELECT jsonb_set(plan, '{3}'" in script and "random(1, 5)" in script


def test_a_plan_of_format_1_keeps_its_function_and_key():
    plan = json.dumps({"receipt_id": "R-9", "member": 7, "expect_first": True})
    function, path, first = _call_of("SELECT * FROM sasom_sale_post($1)", plan)
    assert (function, path, first, _member_of(plan)) == ("sasom_sale_post", "{receipt_id}", True, 7)
