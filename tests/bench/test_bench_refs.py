"""B1's reference (a) replays recorded plans of either wire format (bench/refs.py): it calls the
function the recording named and gives each plan a fresh receipt at that format's path."""

from __future__ import annotations

import json

from bench import refs
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


def test_the_reads_are_replayed_with_their_recorded_parameters_as_the_statements_parameters():
    """Reference (a'): each recorded statement gets plan ``i``'s parameters through pgbench
    variables (``\\gset``), cast to the types the app declared, so that under ``-M prepared`` they
    are a prepared statement's parameters (PostgreSQL plans it as the app's), not subselects; $1
    is not $10; a parameter recorded NULL somewhere comes back as NULL."""
    types = ", ".join(["bigint"] * 9 + ["text[]"])
    body = "SELECT $1, $10, $2 FROM t WHERE a = $1"
    script = refs.reads_script([["read_a", types, body], ["read_b", "date", "SELECT   $1\n  AS d"]], {"r1_1"})
    lines = script.splitlines()
    assert lines[0] == (f"SELECT {', '.join(f'r0_{k}' for k in range(1, 11))} FROM {refs.PLANS_TABLE} "
                        "WHERE i = :i \\gset")
    assert lines[1] == "SELECT (:r0_1::bigint), (:r0_10::text[]), (:r0_2::bigint) FROM t WHERE a = (:r0_1::bigint);"
    assert lines[2] == f"SELECT r1_1 FROM {refs.PLANS_TABLE} WHERE i = :i \\gset"
    assert lines[3] == "SELECT (NULLIF(:r1_1, '')::date) AS d;"
    assert len(lines) == 4
