"""R1, R2 and R4 scaled down: real HTTP over keep-alive connections to Django's live server, real
threads and row locks (PostgreSQL). Full size: ``scripts/battery.sh``."""

from __future__ import annotations

from battery.scenarios import (
    r1_holds,
    r1_redemption_race,
    r2_holds,
    r2_idempotent_sales,
    r4_conservation,
    r4_holds,
)

from .conftest import postgres_only

pytestmark = postgres_only


def test_r1_a_hundred_counters_redeeming_one_balance(shop, live_server):
    # given a member with 200 points and a 7-point reward
    # when 100 redemptions arrive at once over 16 connections
    result = r1_redemption_race(live_server.url, shop, member_code="R1-M", balance=200, requests=100,
                                connections=16)
    # then exactly 28 succeed, the other 72 are refused with a 4xx, 4 points remain, no 5xx
    assert (result["succeeded"], result["refused_4xx"], result["final_balance"]) == (28, 72, 4), result
    assert result["refusal_codes"] == {"insufficient_points": 72}
    assert r1_holds(result), result


def test_r2_fifty_sales_each_sent_five_times_with_one_key(shop, live_server):
    # when 50 sales are each sent 3 times at once, twice more, then with an altered body
    result = r2_idempotent_sales(live_server.url, shop, sales=50, workers=4)
    # then each is posted once; every replay is byte for byte the first answer; altered bodies get 409
    assert result["postings"] == 50 and result["earn_entries"] == 50, result
    assert result["replays_differing"] == 0, result
    assert result["altered_statuses"] == {409: 50}, result
    assert r2_holds(result), result


def test_r4_conservation_under_mixed_load(shop):
    # when 8 workers earn, redeem, return, void and expire on 20 members for 5 seconds
    result = r4_conservation(shop, members=20, workers=8, seconds=5, read_every=0.1)
    # then every read of the whole organization adds up exactly and no spendable balance is negative
    assert result["reads"] >= 10, result
    assert result["bad_reads"] == 0, result["first_bad_read"]
    assert sum(result["operations"].values()) > 50, result
    assert r4_holds(result), result
