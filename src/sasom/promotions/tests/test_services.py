"""Services of stored promotions: validation with the field named, states, copies, settings,
audit and the version every change moves."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.promotions import errors, services
from sasom.promotions.models import Mode, Promotion, PromotionSettings, Status
from sasom.tiers.models import Tier, TierLadder

from .conftest import TEST_KIND

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
pytestmark = pytest.mark.django_db


def _version(org) -> int:
    return PromotionSettings.objects.filter(organization=org).values_list("version", flat=True).first() or 0


def _create(org, actor, **overrides) -> Promotion:
    data = {"code": "P1", "name": "ลด 10 %", "kind": TEST_KIND, "params": {"percent": "10"}} | overrides
    return services.promotion_create(organization_id=org.pk, actor=actor, **data)


def _refused(fn, code: str, field: str | None) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn()
    assert (info.value.code, info.value.field) == (code, field)
    return info.value


def test_create_stores_a_draft_cleaned_audited_and_moves_the_version(org, actor, test_kind, catalog, branch):
    # given a shop with a catalog
    before = _version(org)
    # when marketing creates a promotion
    promo = _create(org, actor, item_skus="COKE, SPRITE", item_categories=["SNACK"], branches=["B1"],
                    weekdays=["5", 6], hours_from="10:00", hours_to="14:00", per_bill_limit="2", budget=100,
                    starts_at=dt.datetime(2026, 12, 1, tzinfo=BKK), ends_at=dt.datetime(2027, 1, 1, tzinfo=BKK))
    # then it is a draft with normalized fields
    promo.refresh_from_db()
    assert promo.status == Status.DRAFT
    assert promo.item_skus == ["COKE", "SPRITE"] and promo.item_categories == ["SNACK"]
    assert promo.weekdays == [5, 6] and promo.hours_from == dt.time(10) and promo.per_bill_limit == 2
    assert promo.params == {"percent": "10"}
    assert _version(org) > before
    event = AuditEvent.objects.get(organization_id=org.pk, action="promotions.create")
    assert event.changes["code"] == [None, "P1"]


def test_member_type_or_tier_conditions_make_it_members_only(org, actor, test_kind, vip):
    promo = _create(org, actor, member_types=["VIP"])
    assert promo.members_only is True


@pytest.fixture
def vip(org):
    from sasom.testing.factories import MemberTypeFactory

    return MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"code": ""}, errors.PROMOTION_FIELD_INVALID, "code"),
    ({"code": "kinds"}, errors.PROMOTION_FIELD_INVALID, "code"),
    ({"name": " "}, errors.PROMOTION_FIELD_INVALID, "name"),
    ({"kind": "no_such_kind"}, errors.PROMOTION_KIND_UNKNOWN, "kind"),
    ({"params": {"percent": "150"}}, errors.PROMOTION_PARAMS_INVALID, "params.percent"),
    ({"params": {"percent": "5", "colour": "red"}}, errors.PROMOTION_PARAMS_INVALID, "params.colour"),
    ({"params": {"percent": "5", "gift": "NOPE"}}, errors.PROMOTION_UNKNOWN_CODE, "params.gift"),
    ({"params": "ten"}, errors.PROMOTION_PARAMS_INVALID, "params"),
    ({"item_skus": ["COKE", "NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "item_skus"),
    ({"exclude_skus": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "exclude_skus"),
    ({"item_categories": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "item_categories"),
    ({"item_brands": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "item_brands"),
    ({"member_types": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "member_types"),
    ({"tiers": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "tiers"),
    ({"branches": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "branches"),
    ({"terminals": ["NOPE"]}, errors.PROMOTION_UNKNOWN_CODE, "terminals"),
    ({"weekdays": [7]}, errors.PROMOTION_WEEKDAYS_INVALID, "weekdays"),
    ({"weekdays": ["sat"]}, errors.PROMOTION_WEEKDAYS_INVALID, "weekdays"),
    ({"hours_from": "10:00"}, errors.PROMOTION_HOURS_INVALID, "hours_to"),
    ({"hours_from": "10:00", "hours_to": "10:00"}, errors.PROMOTION_HOURS_INVALID, "hours_to"),
    ({"hours_from": "25:00", "hours_to": "10:00"}, errors.PROMOTION_HOURS_INVALID, "hours_from"),
    ({"starts_at": dt.datetime(2026, 12, 2, tzinfo=BKK), "ends_at": dt.datetime(2026, 12, 1, tzinfo=BKK)},
     errors.PROMOTION_DATES_INVALID, "ends_at"),
    ({"starts_at": dt.datetime(2026, 12, 2)}, errors.PROMOTION_DATES_INVALID, "starts_at"),
    ({"per_bill_limit": 0}, errors.PROMOTION_FIELD_INVALID, "per_bill_limit"),
    ({"budget": "many"}, errors.PROMOTION_FIELD_INVALID, "budget"),
    ({"priority": -1}, errors.PROMOTION_FIELD_INVALID, "priority"),
])
def test_bad_input_is_refused_with_its_code_and_field(org, actor, test_kind, catalog, overrides, code, field):
    _refused(lambda: _create(org, actor, **overrides), code, field)
    assert not Promotion.objects.filter(organization=org).exists()


def test_codes_of_another_organization_are_unknown(org, other_org, actor, test_kind):
    from sasom.catalog.models import Product

    Product.objects.create(organization=other_org, sku="THEIRS", name_th="ของร้านอื่น", base_price=1)
    _refused(lambda: _create(org, actor, item_skus=["THEIRS"]), errors.PROMOTION_UNKNOWN_CODE, "item_skus")


def test_a_tier_of_the_ladder_is_known(org, actor, test_kind):
    ladder = TierLadder.objects.create(organization=org)
    Tier.objects.create(organization=org, ladder=ladder, code="GOLD", name="โกลด์", threshold=1000)
    assert _create(org, actor, tiers=["GOLD"]).tiers == ["GOLD"]


def test_a_code_is_unique_in_the_organization_only(org, other_org, actor, test_kind):
    _create(org, actor)
    _refused(lambda: _create(org, actor), errors.PROMOTION_CODE_TAKEN, "code")
    assert _create(other_org, actor).code == "P1"


def test_update_changes_only_what_is_given_and_refuses_a_taken_code(org, actor, test_kind, catalog):
    promo = _create(org, actor, item_skus=["COKE"])
    _create(org, actor, code="P2")
    version = _version(org)
    promo = services.promotion_update(promotion=promo, actor=actor, name="ลด 15 %", params={"percent": "15"})
    assert (promo.name, promo.params, promo.item_skus) == ("ลด 15 %", {"percent": "15"}, ["COKE"])
    assert _version(org) == version + 1
    _refused(lambda: services.promotion_update(promotion=promo, actor=actor, code="P2"),
             errors.PROMOTION_CODE_TAKEN, "code")
    _refused(lambda: services.promotion_update(promotion=promo, actor=actor, colour="red"),
             errors.PROMOTION_FIELD_INVALID, "colour")
    assert Promotion.objects.get(pk=promo.pk).code == "P1"


def test_states_move_draft_active_paused_ended(org, actor, test_kind):
    promo = _create(org, actor)
    _refused(lambda: services.promotion_pause(promotion=promo, actor=actor), errors.PROMOTION_STATE_INVALID, "status")
    _refused(lambda: services.promotion_resume(promotion=promo, actor=actor), errors.PROMOTION_STATE_INVALID, "status")
    promo = services.promotion_activate(promotion=promo, actor=actor)
    assert promo.status == Status.ACTIVE
    version = _version(org)
    assert services.promotion_activate(promotion=promo, actor=actor).status == Status.ACTIVE  # a replay
    assert _version(org) == version  # changed nothing
    promo = services.promotion_pause(promotion=promo, actor=actor)
    _refused(lambda: services.promotion_activate(promotion=promo, actor=actor), errors.PROMOTION_STATE_INVALID,
             "status")
    promo = services.promotion_resume(promotion=promo, actor=actor)
    promo = services.promotion_end(promotion=promo, actor=actor)
    assert promo.status == Status.ENDED
    _refused(lambda: services.promotion_resume(promotion=promo, actor=actor), errors.PROMOTION_STATE_INVALID, "status")
    _refused(lambda: services.promotion_update(promotion=promo, actor=actor, name="x"),
             errors.PROMOTION_STATE_INVALID, "status")
    actions = list(AuditEvent.objects.filter(organization_id=org.pk, object_id=str(promo.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["promotions.create", "promotions.activate", "promotions.pause", "promotions.resume",
                       "promotions.end"]


def test_activating_a_promotion_whose_parameters_no_longer_clean_is_refused(org, actor, test_kind):
    promo = _create(org, actor)
    Promotion.objects.filter(pk=promo.pk).update(params={"percent": "0"})
    _refused(lambda: services.promotion_activate(promotion=promo, actor=actor),
             errors.PROMOTION_PARAMS_INVALID, "params.percent")
    assert Promotion.objects.get(pk=promo.pk).status == Status.DRAFT


def test_copy_is_a_draft_with_a_new_code_and_no_uses(org, actor, test_kind, catalog):
    promo = services.promotion_activate(promotion=_create(org, actor, item_skus=["COKE"], budget=50), actor=actor)
    Promotion.objects.filter(pk=promo.pk).update(uses=7)
    copy = services.promotion_copy(promotion=promo, actor=actor, code="P1-DEC")
    assert (copy.status, copy.uses, copy.item_skus, copy.budget, copy.name) == (Status.DRAFT, 0, ["COKE"], 50, promo.name)
    _refused(lambda: services.promotion_copy(promotion=promo, actor=actor, code="P1"),
             errors.PROMOTION_CODE_TAKEN, "code")


def test_settings_update(org, actor):
    row = services.promotion_settings_update(organization_id=org.pk, actor=actor, mode="priority",
                                             gifts_earn_points=True)
    assert (row.mode, row.gifts_earn_points) == (Mode.PRIORITY, True)
    assert row.version >= 2
    _refused(lambda: services.promotion_settings_update(organization_id=org.pk, actor=actor, mode="cheapest"),
             errors.PROMOTION_FIELD_INVALID, "mode")
