"""compile.py: an organization's active promotions as the engine's set, cached by version."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import pytest

from sasom.promotions import services
from sasom.promotions.compile import gift_skus, gift_skus_for, promotion_set_for
from sasom.promotions.models import Mode, Promotion, PromotionSettings, Status

from .conftest import TEST_KIND, PercentRule

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
pytestmark = pytest.mark.django_db


def _stored(org, code: str, *, status: str = Status.ACTIVE, kind: str = TEST_KIND, params=None, **fields) -> Promotion:
    """A row as stored (not through the services): compile must cope with whatever the table holds."""
    return Promotion.objects.create(organization=org, code=code, name=f"Promotion {code}", kind=kind,
                                    params={"percent": "10"} if params is None else params, status=status, **fields)


def test_a_shop_without_promotions_gets_none_for_one_query_when_warm(org, django_assert_num_queries, settings):
    settings.PROMOTIONS_TTL = 0
    # given a shop that never set up a promotion
    assert promotion_set_for(org.pk) is None
    # when the till asks again
    with django_assert_num_queries(1):
        # then one version query answers, and still nothing to run
        assert promotion_set_for(org.pk) is None


def test_only_active_promotions_are_compiled_with_their_items_and_conditions(org, test_kind):
    # given one promotion of each state
    start = dt.datetime(2026, 11, 1, tzinfo=BKK)
    _stored(org, "ACTIVE", item_skus=["COKE"], item_categories=["SNACK"], item_brands=["PANTENE"],
            exclude_skus=["LAYS"], members_only=True, member_types=["VIP"], tiers=["GOLD"], branches=["B1"],
            terminals=["B1-T1"], salespersons=["S1"], document_types=["retail"], starts_at=start,
            ends_at=start + dt.timedelta(days=30), weekdays=[5, 6], hours_from=dt.time(10), hours_to=dt.time(14),
            per_bill_limit=2, per_member_limit=3, budget=500, priority=7, stacks=True, message="ขอบคุณค่ะ",
            params={"percent": "12.5"})
    for status in (Status.DRAFT, Status.PAUSED, Status.ENDED):
        _stored(org, status.upper(), status=status)
    PromotionSettings.objects.create(organization=org, mode=Mode.PRIORITY, gifts_earn_points=True, version=4)
    # when the till asks for the set
    pset = promotion_set_for(org.pk)
    # then only the active one is in it, as the engine's promotion
    assert pset is not None
    assert pset.mode == "priority" and pset.version == 4
    assert [p.code for p in pset.promotions] == ["ACTIVE"]
    p = pset.promotions[0]
    assert p.kind == TEST_KIND and p.priority == 7 and p.stacks and p.message == "ขอบคุณค่ะ"
    assert p.members_earn_on_gifts is True
    assert isinstance(p.rule, PercentRule) and str(p.rule.params["percent"]) == "12.5"
    items = p.rule.items()
    assert items.skus == {"COKE"} and items.categories == {"SNACK"} and items.brands == {"PANTENE"}
    assert items.exclude_skus == {"LAYS"}
    c = p.conditions
    assert c.members_only and c.member_types == {"VIP"} and c.tiers == {"GOLD"} and c.branches == {"B1"}
    assert c.terminals == {"B1-T1"} and c.salespersons == {"S1"} and c.document_types == {"retail"}
    assert c.starts_at == start and c.ends_at == start + dt.timedelta(days=30)
    assert c.weekdays == {5, 6} and c.hours_from == dt.time(10) and c.hours_to == dt.time(14)
    assert (c.per_bill_limit, c.per_member_limit, c.budget) == (2, 3, 500)


def test_the_set_is_cached_until_a_change_moves_the_version(org, test_kind, actor, catalog, settings,
                                                           django_assert_num_queries):
    settings.PROMOTIONS_TTL = 0
    # given an active promotion, compiled once
    promo = services.promotion_create(organization_id=org.pk, actor=actor, code="P1", name="ลด 10 %",
                                      kind=TEST_KIND, params={"percent": "10"})
    services.promotion_activate(promotion=promo, actor=actor)
    first = promotion_set_for(org.pk)
    # when nothing changed: one query and the same compiled object
    with django_assert_num_queries(1):
        assert promotion_set_for(org.pk) is first
    # when the promotion is paused: the next call sees the new version and nothing is active
    services.promotion_pause(promotion=promo, actor=actor)
    assert promotion_set_for(org.pk) is None
    services.promotion_resume(promotion=promo, actor=actor)
    again = promotion_set_for(org.pk)
    assert again is not None and again is not first and [p.code for p in again.promotions] == ["P1"]


def test_another_process_notices_a_change_by_the_version(org, test_kind, settings):
    settings.PROMOTIONS_TTL = 0
    _stored(org, "P1")
    first = promotion_set_for(org.pk)
    assert first is not None
    # given another process changed a promotion (no forget here, only the version moved)
    _stored(org, "P2")
    PromotionSettings.objects.update_or_create(organization=org, defaults={"version": 9})
    # then this process recompiles on its next call
    pset = promotion_set_for(org.pk)
    assert pset is not None and pset.version == 9 and sorted(p.code for p in pset.promotions) == ["P1", "P2"]


def test_a_bad_stored_row_is_skipped_and_logged_never_an_error_at_the_till(org, test_kind, caplog):
    # given one good promotion, one of a kind that no longer exists and one whose parameters its kind refuses
    _stored(org, "GOOD")
    _stored(org, "GONE", kind="no_such_kind")
    _stored(org, "BROKEN", params={"percent": "250"})
    # when compiled
    with caplog.at_level(logging.WARNING, logger="sasom.promotions"):
        pset = promotion_set_for(org.pk)
    # then the good one runs and each bad one is named in the log
    assert pset is not None and [p.code for p in pset.promotions] == ["GOOD"]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "GONE" in logged and "no_such_kind" in logged and "BROKEN" in logged


def test_only_bad_rows_means_no_set(org, test_kind):
    _stored(org, "BROKEN", params={})
    assert promotion_set_for(org.pk) is None


def test_gift_skus_are_the_skus_the_promotions_may_give(org, test_kind):
    _stored(org, "GIFT", params={"percent": "10", "gift": "SPRITE"})
    _stored(org, "PLAIN")
    _stored(org, "PAUSED-GIFT", status=Status.PAUSED, params={"percent": "10", "gift": "LAYS"})
    pset = promotion_set_for(org.pk)
    assert pset is not None
    assert gift_skus(pset) == {"SPRITE"}
    assert gift_skus_for(org.pk) == frozenset({"SPRITE"})


def test_each_organization_gets_its_own_set(org, other_org, test_kind):
    _stored(org, "MINE")
    _stored(other_org, "THEIRS")
    mine, theirs = promotion_set_for(org.pk), promotion_set_for(other_org.pk)
    assert mine is not None and theirs is not None
    assert [p.code for p in mine.promotions] == ["MINE"] and [p.code for p in theirs.promotions] == ["THEIRS"]
