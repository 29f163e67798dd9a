"""Issue 12's worked examples, as a shop's days (both databases): upgrade on points earned in a
rolling window, returns counting against it, the four cut-off frequencies, expiry, a hand-set
floor, settings changed mid-way, and the re-evaluation whose preview is what it applies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.ledger.services import sale_return, sale_void
from sasom.ledger.services.tiering import tiers_cutoff_run, tiers_expiry_run, tiers_reevaluate
from sasom.tiers.models import MemberTier, TierChange
from sasom.tiers.services import member_tier_set

from .conftest import at

pytestmark = pytest.mark.django_db


def tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row and row.tier else None


def test_a_sale_reaching_the_threshold_upgrades_in_the_same_transaction(ladder, sell, member):
    # given a ladder Basic 500 / Gold 1,000 / Platinum 2,000 on 12 months
    ladder(window_months=12)
    # when a member earns 400 then 700 points
    sell(member, 400, when=at(2026, 1, 10))
    assert tier(member) is None
    sell(member, 700, when=at(2026, 1, 20))
    # then 1,100 points in the window: Gold, one history row saying why and which window
    assert tier(member) == "GOLD"
    change = TierChange.objects.get(member=member)
    assert (change.from_code, change.to_code, change.reason, change.detail, change.measure) == (
        "", "GOLD", "upgrade", "sale", 1100)
    assert change.window_from == at(2025, 1, 20, 0, 0) and change.window_to == at(2026, 1, 20)


def test_seed_002_last_1_month_counts_from_the_first_of_the_previous_month(ladder, sell, member):
    ladder(window_months=1)
    sell(member, 300, when=at(2022, 3, 31, 23, 59))  # before the window
    sell(member, 300, when=at(2022, 4, 1, 0, 0))  # first instant of the window
    sell(member, 300, when=at(2022, 5, 1, 9, 0))
    # 1 Apr - 1 May: 600 → Basic (the 31 Mar sale does not count)
    assert tier(member) == "BASIC"
    assert TierChange.objects.get(member=member, to_code="BASIC").measure == 600


@pytest.mark.parametrize("months, old_on, counted", [
    (1, dt.date(2024, 2, 29), True),   # 31 Mar 2024 - 1 month = 29 Feb (leap year)
    (1, dt.date(2024, 2, 28), False),
    (3, dt.date(2023, 12, 31), True),  # 31 Mar - 3 months = 31 Dec
    (3, dt.date(2023, 12, 30), False),
    (6, dt.date(2023, 9, 30), True),   # 31 Mar - 6 months = 30 Sep (clamped)
    (6, dt.date(2023, 9, 29), False),
    (12, dt.date(2023, 3, 31), True),
    (12, dt.date(2023, 3, 30), False),
])
def test_each_window_across_month_ends_and_29_february(ladder, sell, member, months, old_on, counted):
    ladder(window_months=months)
    sell(member, 600, when=at(old_on.year, old_on.month, old_on.day, 12))
    sell(member, 600, when=at(2024, 3, 31, 12))
    assert tier(member) == ("GOLD" if counted else "BASIC")


def test_the_window_starts_at_midnight_in_the_shop_time_zone(ladder, sell, member, org):
    # given a shop in Bangkok (UTC+7) with a 1-month window
    ladder(window_months=1)
    # a sale at 23:59:59 on 31 Mar Bangkok time (16:59:59 UTC) and one at 00:00:00 on 1 Apr
    sell(member, 400, when=dt.datetime(2026, 3, 31, 16, 59, 59, tzinfo=dt.UTC))
    sell(member, 400, when=dt.datetime(2026, 3, 31, 17, 0, 0, tzinfo=dt.UTC))
    # when the member earns on 1 May at 06:00 Bangkok (still 30 Apr in UTC)
    sell(member, 200, when=dt.datetime(2026, 4, 30, 23, 0, tzinfo=dt.UTC))
    # then the window is 1 Apr 00:00 Bangkok - now: 400 + 200 = 600 → Basic, not Gold
    assert tier(member) == "BASIC"


def test_a_return_after_the_upgrade_counts_at_the_next_cutoff(ladder, sell, member, actor):
    # given a monthly cut-off, 1-month window; a member reaches Gold with 1,100 points in January
    ladder(window_months=1, cutoff_frequency="monthly")
    sell(member, 500, when=at(2026, 1, 5))
    big = sell(member, 600, when=at(2026, 1, 20)).sale
    assert tier(member) == "GOLD"
    # when 300 THB of the second sale come back: 800 points earned net
    sale_return(sale=big, lines={1: Decimal("0.5")}, actor=actor, return_id="RT-1", now=at(2026, 1, 25))
    # then the tier is kept until the cut-off (returns never downgrade on their own) ...
    assert tier(member) == "GOLD"
    # ... and at the 31 Jan cut-off the member drops to the tier the net points reach
    assert tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 1, 31)) == {
        "checked": 1, "moved": 1}
    assert tier(member) == "BASIC"
    change = TierChange.objects.get(member=member, reason="downgrade")
    assert (change.from_code, change.to_code, change.measure, change.detail) == ("GOLD", "BASIC", 800,
                                                                                 "cutoff:monthly")
    # idempotent: the same cut-off again moves nobody
    assert tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 1, 31))["moved"] == 0


def test_a_void_counts_against_the_window_not_the_balance(ladder, sell, member, actor):
    ladder(window_months=12, cutoff_frequency="yearly")
    keep = sell(member, 1200, when=at(2026, 2, 1)).sale
    assert tier(member) == "GOLD"
    sale_void(sale=keep, reason="wrong member", actor=actor, now=at(2026, 2, 2))
    sell(member, 100, when=at(2026, 3, 1))  # an earning after the void: 100, no upgrade, no change
    assert tier(member) == "GOLD"
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 12, 31))
    assert tier(member) is None  # 100 points in 2026: below Basic


@pytest.mark.parametrize("frequency, cutoffs", [
    ("monthly", [dt.date(2026, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30))]),
    ("quarterly", [dt.date(2026, 3, 31), dt.date(2026, 6, 30)]),
    ("half_yearly", [dt.date(2026, 6, 30)]),
    ("yearly", []),
])
def test_the_four_cutoff_frequencies(ladder, sell, member, frequency, cutoffs):
    # given a Gold member with nothing earned after January (1-month window)
    ladder(window_months=1, cutoff_frequency=frequency)
    sell(member, 1000, when=at(2026, 1, 2))
    assert tier(member) == "GOLD"
    # when every day from 1 Jan to 30 Jun is run
    ran = []
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 6, 30):
        if tiers_cutoff_run(organization_id=member.organization_id, on_date=day)["moved"]:
            ran.append(day)
        day += dt.timedelta(days=1)
    # then the member dropped at the first cut-off of the frequency only (Jan for monthly: the
    # January window holds the 1,000 points, so the first drop is at the end of February)
    expected = [d for d in cutoffs if d >= dt.date(2026, 2, 28)][:1]
    assert ran == expected
    assert tier(member) == (None if expected else "GOLD")


def test_one_tier_at_a_time(ladder, sell, member):
    ladder(window_months=1, cutoff_frequency="monthly", drop_mode="one_step")
    sell(member, 2500, when=at(2026, 1, 2))
    assert tier(member) == "PLAT"
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 2, 28))
    assert tier(member) == "GOLD"
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 2, 28))  # rerun: no second step
    assert tier(member) == "GOLD"
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 3, 31))
    assert tier(member) == "BASIC"


def test_expiry_downgrade_renews_or_drops(ladder, sell, member, member_type, org):
    from sasom.testing.factories import MemberFactory
    from sasom.tiers.services import TierIn

    # given tiers valid 12 months from the day reached, decided on a 12-month window
    ladder(window_months=12, downgrade="expiry", tiers=[TierIn("BASIC", "Basic", 500, 12),
                                                        TierIn("GOLD", "Gold", 1000, 12)])
    other = MemberFactory(organization=org, member_type=member_type, code="M0000002", phone="+66812345679")
    sell(member, 600, when=at(2025, 3, 1))  # Basic on 1 Mar 2025
    sell(member, 500, when=at(2025, 3, 10))  # Gold on 10 Mar 2025
    sell(other, 1000, when=at(2025, 3, 10))
    sell(other, 1000, when=at(2026, 2, 1))  # keeps earning
    row = MemberTier.objects.get(member=member)
    assert (row.reached_on, row.expires_on) == (dt.date(2025, 3, 10), dt.date(2026, 3, 9))
    # nothing before the last day
    assert tiers_expiry_run(organization_id=org.pk, on_date=dt.date(2026, 3, 8))["checked"] == 0
    counts = tiers_expiry_run(organization_id=org.pk, on_date=dt.date(2026, 3, 9))
    assert counts == {"checked": 2, "renewed": 1, "moved": 1}
    # the window 10 Mar 2025 - 9 Mar 2026 holds 500 of the member's points: Basic, valid a year
    assert tier(member) == "BASIC" and tier(other) == "GOLD"
    assert MemberTier.objects.get(member=member).expires_on == dt.date(2027, 3, 9)
    assert TierChange.objects.get(member=member, reason="downgrade").detail == "expiry"
    assert MemberTier.objects.get(member=other).expires_on == dt.date(2027, 3, 9)
    # idempotent
    assert tiers_expiry_run(organization_id=org.pk, on_date=dt.date(2026, 3, 9))["checked"] == 0


def test_a_tier_set_by_hand_is_a_floor_until_its_end_date(ladder, sell, member, actor):
    ladder(window_months=1, cutoff_frequency="monthly")
    member_tier_set(organization_id=member.organization_id, member=member, tier_code="GOLD",
                    until=dt.date(2026, 3, 31), note="VIP compensation", actor=actor, today=dt.date(2026, 1, 15))
    change = TierChange.objects.get(member=member)
    assert (change.reason, change.to_code, change.note) == ("manual", "GOLD", "VIP compensation")
    # no points at all: the floor holds at the January, February and March cut-offs
    for on in (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)):
        tiers_cutoff_run(organization_id=member.organization_id, on_date=on)
        assert tier(member) == "GOLD"
    # an earning may still raise it
    sell(member, 2100, when=at(2026, 3, 5))
    assert tier(member) == "PLAT"
    # after its end date the member falls to what the points reach (nothing in April)
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 4, 30))
    assert tier(member) is None


def test_settings_changed_mid_way_apply_from_the_next_earning(ladder, sell, member, org):
    from sasom.tiers.services import TierIn

    ladder(window_months=12)
    sell(member, 800, when=at(2026, 1, 10))
    assert tier(member) == "BASIC"
    # the shop lowers Gold to 700: nothing moves now (not retroactive) ...
    ladder(window_months=12, tiers=[TierIn("BASIC", "Basic", 500), TierIn("GOLD", "Gold", 700),
                                    TierIn("PLAT", "Platinum", 2000)])
    assert tier(member) == "BASIC"
    # ... the next earning decides with the new settings
    sell(member, 10, when=at(2026, 1, 11))
    assert tier(member) == "GOLD"


def test_reevaluation_preview_equals_apply(ladder, sell, member, member_type, org, actor):
    from sasom.testing.factories import MemberFactory
    from sasom.tiers.services import TierIn

    ladder(window_months=12)
    b = MemberFactory(organization=org, member_type=member_type, code="M0000002", phone="+66812345672")
    c = MemberFactory(organization=org, member_type=member_type, code="M0000003", phone="+66812345673")
    sell(member, 800, when=at(2026, 1, 10))   # Basic
    sell(b, 1500, when=at(2026, 1, 10))       # Gold
    sell(c, 450, when=at(2026, 1, 10))        # nothing
    ladder(window_months=12, tiers=[TierIn("BASIC", "Basic", 400), TierIn("GOLD", "Gold", 800),
                                    TierIn("PLAT", "Platinum", 1500)])
    now = at(2026, 2, 1)
    preview = tiers_reevaluate(organization_id=org.pk, actor=actor, apply=False, now=now)
    assert preview == {"BASIC→GOLD": 1, "GOLD→PLAT": 1, "-→BASIC": 1}
    assert TierChange.objects.filter(reason="reevaluation").count() == 0
    applied = tiers_reevaluate(organization_id=org.pk, actor=actor, apply=True, now=now)
    assert applied == preview
    assert (tier(member), tier(b), tier(c)) == ("GOLD", "PLAT", "BASIC")
    assert tiers_reevaluate(organization_id=org.pk, actor=actor, apply=False, now=now) == {}


def test_spend_based_ladder(ladder, sell, member, actor):
    ladder(window_months=12, basis="spend")
    sale = sell(member, 1200, when=at(2026, 1, 10)).sale
    assert tier(member) == "GOLD"
    assert TierChange.objects.get(member=member).measure == 1200
    sale_return(sale=sale, lines={1: Decimal("0.5")}, actor=actor, return_id="RT-1", now=at(2026, 1, 11))
    tiers_cutoff_run(organization_id=member.organization_id, on_date=dt.date(2026, 12, 31))
    assert tier(member) == "BASIC"


def test_no_ladder_no_tier_no_rows(sell, member):
    sell(member, 5000, when=at(2026, 1, 10))
    assert not MemberTier.objects.exists() and not TierChange.objects.exists()


def test_the_member_data_export_carries_the_tier_history(ladder, sell, member):
    from sasom.members.privacy import member_data_export

    ladder(window_months=12)
    sell(member, 1200, when=at(2026, 1, 10))
    rows = member_data_export(member)["tier_history"]
    assert [(r["from_code"], r["to_code"], r["reason"], r["measure"]) for r in rows] == [("", "GOLD", "upgrade", 1200)]
