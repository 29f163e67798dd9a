"""Rule/campaign/settings services, the cached rule set, the basket preview and the demo."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.earning import services
from sasom.earning.demo import make_demo_rules
from sasom.earning.engine import Basket, BasketLine, MemberContext, compute
from sasom.earning.models import EarnRule, EarnSettings
from sasom.earning.params import RULE_PARAMS_INVALID
from sasom.earning.selectors import ruleset_for

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")


def base_rule(org, actor, per_amount="25", code="BASE-GEN", **kw):
    return services.rule_create(
        organization_id=org.pk, actor=actor, code=code, name="Base GEN", kind="base",
        member_types=["GEN"], params={"per_amount": per_amount, "points": 1}, **kw,
    )


def earn(org, amount="1000", when=None, member_type="GEN"):
    b = Basket(occurred_at=when or dt.datetime(2025, 3, 10, 10, tzinfo=BKK), lines=(BasketLine(1, "A", Decimal(1), Decimal(amount)),))
    return compute(b, MemberContext(member_id=1, member_type=member_type), ruleset_for(org.pk), tz=BKK)


def test_create_rule_is_validated_audited_and_compiled(org, member_type, actor):
    # when
    rule = base_rule(org, actor)
    # then
    assert rule.params == {"per_amount": "25.00", "points": 1}
    assert AuditEvent.objects.filter(organization_id=org.pk, action="earning.rule_create", object_id=str(rule.pk)).exists()
    assert earn(org).member_points == 40


def test_changing_a_rule_changes_the_next_compute(org, member_type, actor):
    # given a warm cache at 25 THB = 1 pt
    rule = base_rule(org, actor)
    assert earn(org).member_points == 40
    version = ruleset_for(org.pk).version
    # when the rate becomes 10 THB = 1 pt
    services.rule_update(rule=rule, actor=actor, params={"per_amount": "10", "points": 1})
    # then
    assert ruleset_for(org.pk).version == version + 1
    assert earn(org).member_points == 100
    # and deactivating it stops the points
    services.rule_set_active(rule=rule, actor=actor, active=False)
    assert earn(org).member_points == 0


def test_another_process_notices_a_change_through_the_version(org, member_type, actor, settings):
    # given a warm cache checked on every sale, and a change written by "another process"
    settings.EARNING_RULESET_TTL = 0
    base_rule(org, actor)
    assert earn(org).member_points == 40
    EarnRule.objects.filter(organization_id=org.pk).update(params={"per_amount": "50.00", "points": 1})
    EarnSettings.objects.filter(organization_id=org.pk).update(version=999)
    # when / then
    assert earn(org).member_points == 20


def test_a_change_of_the_shops_currency_or_calendar_recompiles_the_rules(org, member_type, actor, settings):
    # given a warm rule set of a THB shop (Buddhist-era months are Gregorian months)
    settings.EARNING_RULESET_TTL = 0
    base_rule(org, actor)
    warm = ruleset_for(org.pk)
    assert warm.currency == "THB"
    assert warm.policy.period_calendar != "jalali"
    # when "another process" makes it a Jalali IRR shop (no earning setting changes)
    type(org).objects.filter(pk=org.pk).update(currency="IRR", calendar="jalali", periods_follow_calendar=True)
    # then the next sale's rules round to the rial and count Jalali birthday months
    again = ruleset_for(org.pk)
    assert again is not warm
    assert (again.currency, again.policy.period_calendar) == ("IRR", "jalali")
    assert ruleset_for(org.pk) is again  # and stay warm while nothing moves


def test_warm_ruleset_costs_at_most_one_query(org, member_type, actor, django_assert_max_num_queries):
    base_rule(org, actor)
    ruleset_for(org.pk)
    with django_assert_max_num_queries(1):
        ruleset = ruleset_for(org.pk)
    assert len(ruleset) == 1


def test_ruleset_with_ttl_costs_no_query(org, member_type, actor, settings, django_assert_num_queries):
    settings.EARNING_RULESET_TTL = 60
    base_rule(org, actor)
    ruleset_for(org.pk)
    with django_assert_num_queries(0):
        ruleset_for(org.pk)


def test_rules_are_per_organization(org, other_org, member_type, actor):
    base_rule(org, actor)
    assert len(ruleset_for(other_org.pk)) == 0
    assert len(ruleset_for(org.pk)) == 1


def test_bad_params_name_the_field_and_store_nothing(org, member_type, actor):
    with pytest.raises(DomainError) as err:
        services.rule_create(
            organization_id=org.pk, actor=actor, code="X", name="x", kind="spend",
            params={"steps": [{"min_amount": "2000", "mode": "multiply", "value": "1"}]},
        )
    assert err.value.code == RULE_PARAMS_INVALID and err.value.field == "steps"
    with pytest.raises(DomainError) as err:
        services.rule_create(organization_id=org.pk, actor=actor, code="X", name="x", kind="base", params={"per_amount": "abc", "points": 1})
    assert err.value.field == "per_amount"
    assert not EarnRule.objects.exists()


def test_unknown_member_type_duplicate_code_and_golden_minute_without_window(org, member_type, actor):
    with pytest.raises(DomainError) as err:
        services.rule_create(organization_id=org.pk, actor=actor, code="X", name="x", kind="base",
                             member_types=["NOPE"], params={"per_amount": "25", "points": 1})
    assert err.value.code == services.UNKNOWN_CODE and err.value.field == "member_types"
    base_rule(org, actor)
    with pytest.raises(DomainError) as err:
        base_rule(org, actor)
    assert err.value.code == services.RULE_CODE_TAKEN
    with pytest.raises(DomainError) as err:
        services.rule_create(organization_id=org.pk, actor=actor, code="G", name="g", kind="golden_minute",
                             params={"mode": "multiply", "value": "2"})
    assert err.value.field == "time_from"
    with pytest.raises(DomainError) as err:
        services.rule_create(organization_id=org.pk, actor=actor, code="G", name="g", kind="threshold",
                             valid_from=dt.datetime(2025, 2, 1, tzinfo=BKK), valid_to=dt.datetime(2025, 1, 1, tzinfo=BKK),
                             params={"min_amount": "1", "points": 1})
    assert err.value.field == "valid_to"


def test_settings_update_changes_rounding_and_exclusions(org, member_type, actor):
    base_rule(org, actor, per_amount="100")
    b = Basket(
        occurred_at=dt.datetime(2025, 3, 10, 10, tzinfo=BKK),
        lines=(BasketLine(1, "A", Decimal(1), Decimal("1070"), category="FOOD"), BasketLine(2, "C", Decimal(1), Decimal("500"), category="TOBACCO")),
    )
    member = MemberContext(member_id=1, member_type="GEN")
    assert compute(b, member, ruleset_for(org.pk), tz=BKK).member_points == 15
    # when
    services.earn_settings_update(organization_id=org.pk, actor=actor, base_includes_vat=False, excluded_categories="TOBACCO, ")
    # then 1,070 / 1.07 = 1,000 → 10
    assert compute(b, member, ruleset_for(org.pk), tz=BKK).member_points == 10
    assert AuditEvent.objects.filter(action="earning.settings_update").count() == 1


def test_settings_update_refuses_an_unknown_rounding(org, actor):
    # when
    with pytest.raises(DomainError) as err:
        services.earn_settings_update(organization_id=org.pk, actor=actor, rounding="sometimes")
    # then (mypy found that ``_`` was the get_or_create flag here, so this raised TypeError)
    assert err.value.field == "rounding"


def test_campaign_create_and_bag_declined(org, member_type, actor):
    services.campaign_create(organization_id=org.pk, actor=actor, code="NOBAG", name="No bag", bag_points=5, donation_per_bag="1.00")
    b = Basket(occurred_at=dt.datetime(2025, 3, 10, 10, tzinfo=BKK), lines=(BasketLine(1, "A", Decimal(1), Decimal("100")),), bag_declined=True)
    assert compute(b, MemberContext(member_id=1, member_type="GEN"), ruleset_for(org.pk), tz=BKK).member_points == 5
    assert compute(b, MemberContext(member_id=None), ruleset_for(org.pk), tz=BKK).donation == Decimal("1.00")
    with pytest.raises(DomainError) as err:
        services.campaign_create(organization_id=org.pk, actor=actor, code="BAD", name="bad", bag_percent="150")
    assert err.value.field == "bag_percent"


def test_basket_preview(org, member_type, staff_type, actor):
    base_rule(org, actor)
    lines = [services.PreviewLine(sku="LIP01", quantity=Decimal(1), unit_price=Decimal("500"), category="BEAUTY")]
    when = dt.datetime(2025, 3, 10, 12, 30, tzinfo=BKK)
    result = services.basket_preview(organization_id=org.pk, lines=lines, occurred_at=when, member_type="GEN")
    assert result.member_points == 20
    assert result.awards[0].explanation == "500.00 THB ÷ 25 × 1 = 20 pts"
    assert services.basket_preview(organization_id=org.pk, lines=lines, occurred_at=when, member_type="STAFF").member_points == 0
    with pytest.raises(DomainError):
        services.basket_preview(organization_id=org.pk, lines=[], occurred_at=when, member_type="GEN")


def test_demo_rules(org, member_type, vip_type, staff_type):
    # given the demo configuration
    make_demo_rules(org, {"GEN": member_type, "VIP": vip_type, "STAFF": staff_type})
    make_demo_rules(org, {"GEN": member_type, "VIP": vip_type, "STAFF": staff_type})  # idempotent
    # when a GEN member buys 2,500 THB (500 of beauty) at 12:30, bag declined, outside the birth month
    b = Basket(
        occurred_at=dt.datetime(2025, 3, 10, 12, 30, tzinfo=BKK),
        lines=(BasketLine(1, "LIP", Decimal(1), Decimal("500"), category="BEAUTY"), BasketLine(2, "RICE", Decimal(1), Decimal("2000"))),
        bag_declined=True,
    )
    result = compute(b, MemberContext(member_id=1, member_type="GEN", birth_on=dt.date(1990, 7, 1)), ruleset_for(org.pk), tz=BKK)
    # then base 100, beauty 20 × 2 = 40, ≥2,000 x2 adds 100, golden x2 adds 100, bag +5
    assert {a.rule_code: a.points for a in result.awards} == {
        "BASE-GEN": 100, "BEAUTY-X3": 40, "SPEND-STEPS": 100, "GOLDEN-NOON": 100, "NO-BAG": 5,
    }
    staff = compute(b, MemberContext(member_id=2, member_type="STAFF", can_earn=False), ruleset_for(org.pk), tz=BKK)
    assert staff.member_points == 0
    assert EarnRule.objects.filter(organization_id=org.pk).count() == 6


@pytest.mark.parametrize("priority", ["10000000000", "-2000000", "high"])
def test_out_of_range_priority_is_a_field_error(org, member_type, actor, priority):
    with pytest.raises(DomainError) as err:
        services.rule_create(
            organization_id=org.pk, actor=actor, code="P1", name="p", kind="threshold", priority=priority,
            params={"min_amount": "100.00", "points": 5},
        )
    assert err.value.field == "priority"
    assert not EarnRule.objects.filter(code="P1").exists()
