"""Segments: member conditions, ledger conditions (spend, points, last purchase, balance), and
refusals naming the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.services import sale_post
from sasom.segments.builder import segment_members, segment_preview
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def shop(org, member_type, branch, terminal):
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})

    def make(code, **kw):
        return MemberFactory(organization=org, member_type=member_type, code=code, phone=None, **kw)

    members = {
        "ann": make("ANN", birth_on=dt.date(1990, 6, 1), gender="female", tags=["wine", "cheese"],
                    marketing_consent=True, custom={"pet": "cat"}, home_branch=branch),
        "bob": make("BOB", birth_on=dt.date(2000, 1, 5), gender="male", tags=["beer"], occupation="Teacher"),
        "cat": make("CAT", birth_on=dt.date(1960, 6, 20), gender="female", marketing_consent=True),
    }

    def sell(member, amount, receipt, when):
        lines = (engine.BasketLine(line_no=1, sku="T", quantity=Decimal("1"), unit_price=Decimal(amount)),)
        sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=receipt, member=member, actor=SYSTEM,
                  basket=engine.Basket(occurred_at=when, lines=lines), points_used=0, now=when)

    sell(members["ann"], "3000.00", "R1", dt.datetime(2026, 5, 10, 12, tzinfo=BKK))
    sell(members["ann"], "500.00", "R2", dt.datetime(2026, 6, 1, 0, 30, tzinfo=BKK))  # just after midnight, Bangkok
    sell(members["bob"], "800.00", "R3", dt.datetime(2026, 1, 20, 12, tzinfo=BKK))
    yield members
    ruleset_forget()


def codes(org, conditions):
    return sorted(segment_members(organization_id=org.pk, conditions=conditions, today=TODAY)
                  .values_list("code", flat=True))


def test_member_conditions(org, shop):
    assert codes(org, [{"kind": "birth_month", "months": [6]}]) == ["ANN", "CAT"]
    assert codes(org, [{"kind": "gender", "genders": ["female"]}, {"kind": "age", "min_age": 60}]) == ["CAT"]
    assert codes(org, [{"kind": "age", "min_age": 30, "max_age": 36}]) == ["ANN"]
    assert codes(org, [{"kind": "age", "min_age": 26, "max_age": 26}]) == ["BOB"]  # 26 since 5 January
    assert codes(org, [{"kind": "tags", "tags": ["beer", "cheese"]}]) == ["ANN", "BOB"]
    assert codes(org, [{"kind": "occupation", "text": "teach"}]) == ["BOB"]
    assert codes(org, [{"kind": "custom_field", "key": "pet", "value": "cat"}]) == ["ANN"]
    assert codes(org, [{"kind": "marketing_consent", "granted": True}]) == ["ANN", "CAT"]
    assert codes(org, [{"kind": "home_branch", "ids": [shop["ann"].home_branch_id]}]) == ["ANN"]


def test_spend_and_points_in_a_period_in_the_shops_time_zone(org, shop):
    june = {"from_on": "2026-06-01", "to_on": "2026-06-30"}
    assert codes(org, [{"kind": "spend", **june, "min_amount": "100"}]) == ["ANN"]
    assert codes(org, [{"kind": "spend", "from_on": "2026-01-01", "to_on": "2026-06-30", "min_amount": "3500"}]) == ["ANN"]
    # at most 1,000 THB this year: those who spent little, and those who spent nothing
    assert codes(org, [{"kind": "spend", "from_on": "2026-01-01", "to_on": "2026-12-31", "max_amount": "1000"}]) == ["BOB", "CAT"]
    assert codes(org, [{"kind": "points_earned", "from_on": "2026-05-01", "to_on": "2026-05-31", "min_points": 30}]) == ["ANN"]
    assert codes(org, [{"kind": "balance", "min_points": 1, "max_points": 10}]) == ["BOB"]


def test_lapsed_and_recent_buyers(org, shop):
    assert codes(org, [{"kind": "last_purchase", "before_on": "2026-03-01"}]) == ["BOB"]
    assert codes(org, [{"kind": "last_purchase", "after_on": "2026-06-01"}]) == ["ANN"]


def test_preview_counts_and_samples_without_anonymized(org, shop):
    shop["cat"].status = "anonymized"
    shop["cat"].save()
    preview = segment_preview(organization_id=org.pk, conditions=[{"kind": "birth_month", "months": [6]}], today=TODAY)
    assert preview.count == 1 and [m.code for m in preview.sample] == ["ANN"]


def test_another_organizations_members_never_match(org, other_org, shop):
    assert codes(other_org, [{"kind": "birth_month", "months": [6]}]) == []


@pytest.mark.parametrize(("conditions", "field"), [
    ([{"kind": "shoe_size", "size": 42}], "conditions.0.kind"),
    ([{"kind": "birth_month", "months": [13]}], "conditions.0.months"),
    ([{"kind": "birth_month"}], "conditions.0.months"),
    ([{"kind": "gender", "genders": ["x"]}], "conditions.0.genders"),
    ([{"kind": "age", "min_age": 5, "colour": 1}], "conditions.0.colour"),
    ([{"kind": "spend", "from_on": "2026-02-30", "to_on": "2026-03-01"}], "conditions.0.from_on"),
    ([{"kind": "birth_month", "months": [1]}, {"kind": "spend", "from_on": "2026-03-01", "to_on": "2026-02-01"}],
     "conditions.1.to_on"),
    ([{"kind": "spend", "from_on": "2026-01-01", "to_on": "2026-02-01", "min_amount": "1e40"}], "conditions.0.min_amount"),
    ({"kind": "age"}, "conditions"),
])
def test_bad_conditions_name_the_field(org, conditions, field):
    with pytest.raises(DomainError) as error:
        segment_members(organization_id=org.pk, conditions=conditions)
    assert error.value.field == field and error.value.code.startswith("segment.")


def test_tier_condition_selects_the_members_tier_now(org, shop):
    from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers",
                     tiers=[TierIn("SILVER", "Silver", 500), TierIn("GOLD", "Gold", 1000)])
    member_tier_set(organization_id=org.pk, member=shop["ann"], tier_code="GOLD", until=None, note="VIP", actor=SYSTEM,
                    today=TODAY)
    member_tier_set(organization_id=org.pk, member=shop["bob"], tier_code="SILVER", until=None, note="VIP", actor=SYSTEM,
                    today=TODAY)
    assert codes(org, [{"kind": "tier", "codes": ["GOLD"]}]) == ["ANN"]
    assert codes(org, [{"kind": "tier", "codes": ["GOLD", "SILVER"]}, {"kind": "gender", "genders": ["male"]}]) == ["BOB"]
    with pytest.raises(DomainError) as exc:
        codes(org, [{"kind": "tier", "codes": []}])
    assert exc.value.field == "conditions.0.codes"


def test_a_jalali_shops_birth_months_are_jalali_months(org, shop):
    # given Dan, born on 22 June 1990: a Gregorian June birthday, but 1 Tir 1369 in the Jalali calendar
    MemberFactory(organization=org, member_type=shop["ann"].member_type, code="DAN", phone=None,
                  birth_on=dt.date(1990, 6, 22))
    assert codes(org, [{"kind": "birth_month", "months": [6]}]) == ["ANN", "CAT", "DAN"]  # Gregorian June
    # when the shop counts its periods in the Jalali calendar
    org.calendar, org.periods_follow_calendar = "jalali", True
    org.save(update_fields=["calendar", "periods_follow_calendar"])
    # then Khordad (22 May - 21 June) holds Ann (11 Khordad 1369) and Cat (30 Khordad 1339), Tir holds Dan,
    # Dey holds Bob (15 Dey 1378)
    assert codes(org, [{"kind": "birth_month", "months": [3]}]) == ["ANN", "CAT"]
    assert codes(org, [{"kind": "birth_month", "months": [4]}]) == ["DAN"]
    assert codes(org, [{"kind": "birth_month", "months": [3, 10]}]) == ["ANN", "BOB", "CAT"]
    # and a shop keeping Gregorian periods keeps Gregorian months
    org.periods_follow_calendar = False
    org.save(update_fields=["periods_follow_calendar"])
    assert codes(org, [{"kind": "birth_month", "months": [6]}]) == ["ANN", "CAT", "DAN"]
