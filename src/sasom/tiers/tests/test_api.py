"""Tiers over the JSON API: the ladder, the member's tier block and history, a hand-set tier, the
re-evaluation (preview, the run in the worker, its progress); bad input answers 4xx with the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

pytestmark = pytest.mark.django_db

LADDER = {"name": "Pointspot", "window_months": 12, "cutoff_frequency": "quarterly", "tiers": [
    {"code": "BASIC", "name": "Basic", "threshold": 500}, {"code": "GOLD", "name": "Gold", "threshold": 1000,
                                                            "card_color": "#d4a017"},
    {"code": "PLAT", "name": "Platinum", "threshold": 2000}]}


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def manager(org, member_type):
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system(), can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def call(client, method, path, body=None):
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


def test_ladder_block_history_and_hand_set(manager, sell, member):
    # no ladder: no tier block
    assert call(manager, "get", f"/members/{member.code}").json()["tier"] is None
    assert call(manager, "get", "/tiers/ladder").status_code == 404
    # given a ladder set over the API
    response = call(manager, "put", "/tiers/ladder", LADDER)
    assert response.status_code == 200, response.content
    assert [t["code"] for t in call(manager, "get", "/tiers/ladder").json()["tiers"]] == ["BASIC", "GOLD", "PLAT"]
    # when the member earns 680 points (now)
    from django.utils import timezone
    sell(member, 680, when=timezone.now())
    block = call(manager, "get", f"/members/{member.code}").json()["tier"]
    assert (block["code"], block["measure"], block["next_code"], block["missing"]) == ("BASIC", 680, "GOLD", 320)
    assert block["keep"] == 500 and block["keep_until"] is not None
    history = call(manager, "get", f"/members/{member.code}/tier-history").json()["items"]
    assert [(h["from_tier"], h["to_tier"], h["reason"], h["measure"]) for h in history] == [
        (None, "BASIC", "upgrade", 680)]
    # a tier set by hand
    response = call(manager, "post", f"/members/{member.code}/tier",
                    {"tier": "GOLD", "until": "2099-12-31", "note": "complaint settled"})
    assert response.status_code == 200, response.content
    assert response.json()["items"][0]["reason"] == "manual"
    block = call(manager, "get", f"/members/{member.code}").json()["tier"]
    assert (block["code"], block["floor_code"], block["floor_note"]) == ("GOLD", "GOLD", "complaint settled")


def test_reevaluation_preview_then_run_then_progress(manager, sell, member, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from sasom.ledger.services.tier_reevaluation import tier_reevaluation_run

    # given a Basic member (600 points) and a ladder lowered to Gold from 550
    call(manager, "put", "/tiers/ladder", LADDER)
    sell(member, 600, when=timezone.now())
    lower = {**LADDER, "tiers": [{"code": "BASIC", "name": "Basic", "threshold": 100},
                                 {"code": "GOLD", "name": "Gold", "threshold": 550}]}
    call(manager, "put", "/tiers/ladder", lower)
    # when the preview is asked for: the move, a sample naming the member, nothing written
    preview = call(manager, "post", "/tiers/reevaluation/preview").json()
    assert preview["moves"] == {"BASIC→GOLD": 1} and preview["members"] == 1
    assert [(s["member"], s["from_tier"], s["to_tier"], s["measure"]) for s in preview["sample"]] == [
        (member.code, "BASIC", "GOLD", 600)]
    # and the run is asked for twice (a retried call): one run, queued
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = call(manager, "post", "/tiers/reevaluation")
        again = call(manager, "post", "/tiers/reevaluation")
    assert first.status_code == 202, first.content
    assert (first.json()["status"], first.json()["created"]) == ("queued", True)
    assert (again.json()["id"], again.json()["created"]) == (first.json()["id"], False)
    assert len(queued) == 1
    # then the worker runs it and its progress says what moved, as the preview said
    assert tier_reevaluation_run(first.json()["id"]) == "done"
    done = call(manager, "get", f"/tiers/reevaluation/{first.json()['id']}").json()
    assert (done["status"], done["members_done"], done["moves"]) == ("done", 1, preview["moves"])
    assert call(manager, "get", f"/members/{member.code}/tier-history").json()["items"][0]["reason"] == "reevaluation"
    missing = call(manager, "get", "/tiers/reevaluation/999999")
    assert (missing.status_code, missing.json()["code"]) == (404, "no_tier_reevaluation")


def test_reevaluation_without_a_ladder_is_refused(manager):
    for path in ("/tiers/reevaluation/preview", "/tiers/reevaluation"):
        response = call(manager, "post", path)
        assert response.status_code == 400 and response.json()["code"] == "no_tier_ladder", path


@pytest.mark.parametrize("body, status, field", [
    ({**LADDER, "window_months": 2}, 422, None),
    ({**LADDER, "tiers": []}, 422, None),
    ({**LADDER, "surprise": 1}, 422, None),
    ({**LADDER, "tiers": [{"code": "A", "name": "A", "threshold": 5}, {"code": "B", "name": "B", "threshold": 5}]},
     400, "tiers"),
    ({**LADDER, "downgrade": "expiry"}, 400, "tiers"),
])
def test_bad_ladders_are_refused_on_their_field(manager, body, status, field):
    response = call(manager, "put", "/tiers/ladder", body)
    assert response.status_code == status, response.content
    if field:
        assert response.json()["field"] == field


def test_unknown_tier_and_missing_note(manager, member):
    call(manager, "put", "/tiers/ladder", LADDER)
    response = call(manager, "post", f"/members/{member.code}/tier", {"tier": "DIAMOND", "note": "x"})
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, "unknown_tier", "tier")
    response = call(manager, "post", f"/members/{member.code}/tier", {"tier": "GOLD", "note": " "})
    assert (response.status_code, response.json()["field"]) == (400, "note")
    assert call(manager, "get", "/members/NOPE/tier-history").status_code == 404


def test_the_receipt_says_how_far_the_next_tier_is(manager, sell, member, org, terminal):
    from sasom.checkout.receipts import receipt_text
    from sasom.ledger.selectors import account_of
    from sasom.ledger.tier_card import tier_card

    call(manager, "put", "/tiers/ladder", LADDER)
    from django.utils import timezone
    sale = sell(member, 680, when=timezone.now()).sale
    card = tier_card(organization_id=org.pk, member_id=member.pk)
    text = receipt_text(organization=org, sale=sale, member=member, awards=[], balance=None, tier=card)
    assert "ระดับ / Tier: Basic" in text
    assert "320 more points to Gold" in text
    assert account_of(member) is not None
