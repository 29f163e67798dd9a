"""Earning configuration over the API: rules, campaigns, settings and the basket preview.

Assumes the earning router is mounted on the API (``api.add_router("/", earning_router)``).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.earning import services
from sasom.earning.api import E_CAMPAIGN_NOT_FOUND, E_RULE_NOT_FOUND
from sasom.earning.models import Campaign, EarnRule, EarnSettings
from sasom.earning.params import RULE_PARAMS_INVALID
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role

BASE_RULE = {
    "code": "BASE-GEN",
    "name": "100 บาท = 1 แต้ม",
    "kind": "base",
    "member_types": ["GEN"],
    "params": {"per_amount": "100", "points": 1},
}
EXTRA_X5 = {
    "code": "SPEND-2000",
    "name": "ซื้อครบ 2,000 รับ x5 เพิ่ม",
    "kind": "spend",
    "priority": 10,
    "params": {"steps": [{"min_amount": "2000", "mode": "extra_times", "value": "5"}]},
}


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


def _client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def manager(org, member_type):
    issued = api_key_create(
        organization_id=org.id, label="ERP config", actor=Actor.system(), can_manage=True
    )
    return _client(issued.key)


@pytest.fixture
def pos(org, terminal):
    issued = api_key_create(
        organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal
    )
    return _client(issued.key)


@pytest.fixture
def other_manager(other_org):
    issued = api_key_create(
        organization_id=other_org.id, label="other", actor=Actor.system(), can_manage=True
    )
    return _client(issued.key)


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def patch(client: Client, path: str, body: dict):
    return client.patch(path, data=json.dumps(body), content_type="application/json")


# --- rules --------------------------------------------------------------------------------------


def test_rule_create_read_update_deactivate_activate(manager, org):
    # given the head office sets up its base rate over the API
    created = post(manager, "/api/v1/earning/rules", BASE_RULE)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"] == "BASE-GEN"
    assert body["params"] == {"per_amount": "100.00", "points": 1}
    assert body["member_types"] == ["GEN"]
    assert body["is_active"] is True
    assert body["summary"] == "100.00 = 1 pt"
    # when it reads it back
    read = manager.get("/api/v1/earning/rules/BASE-GEN")
    assert read.status_code == 200
    assert read.json() == body
    # and makes it 25 THB = 1 pt from April, Mondays only
    changed = patch(
        manager,
        "/api/v1/earning/rules/BASE-GEN",
        {
            "params": {"per_amount": "25", "points": 1},
            "valid_from": "2025-04-01T00:00:00+07:00",
            "weekdays": [0],
        },
    )
    # then the change is stored, with the period as given
    assert changed.status_code == 200, changed.content
    assert changed.json()["params"] == {"per_amount": "25.00", "points": 1}
    assert changed.json()["valid_from"] == "2025-04-01T00:00:00+07:00"
    assert changed.json()["weekdays"] == [0]
    assert changed.json()["name"] == "100 บาท = 1 แต้ม"  # untouched
    # when it stops the rule, then starts it again
    stopped = post(manager, "/api/v1/earning/rules/BASE-GEN/deactivate")
    assert stopped.status_code == 200
    assert stopped.json()["is_active"] is False
    assert EarnRule.objects.get(code="BASE-GEN").is_active is False
    assert post(manager, "/api/v1/earning/rules/BASE-GEN/activate").json()["is_active"] is True
    # then every change is audited as done by the API key
    actions = list(
        AuditEvent.objects.filter(organization=org, action__startswith="earning.")
        .order_by("id")
        .values_list("action", "actor_label")
    )
    assert [a for a, _ in actions] == [
        "earning.rule_create",
        "earning.rule_update",
        "earning.rule_deactivate",
        "earning.rule_activate",
    ]
    assert all("ERP config" in label for _, label in actions)


def test_patch_can_clear_the_daily_window(manager):
    # given a lunch-time golden minute
    created = post(
        manager,
        "/api/v1/earning/rules",
        {
            "code": "LUNCH",
            "name": "Lunch",
            "kind": "product",
            "time_from": "12:00",
            "time_to": "13:00",
            "params": {"categories": ["FOOD"], "mode": "multiply", "value": "2"},
        },
    )
    assert created.status_code == 201, created.content
    assert (created.json()["time_from"], created.json()["time_to"]) == ("12:00:00", "13:00:00")
    # when the window is cleared
    cleared = patch(manager, "/api/v1/earning/rules/LUNCH", {"time_from": None, "time_to": None})
    # then the rule applies all day
    assert cleared.status_code == 200, cleared.content
    assert (cleared.json()["time_from"], cleared.json()["time_to"]) == (None, None)


def test_rule_list_filters_and_pages(manager, org, django_assert_num_queries):
    # given four rules, one of them stopped
    actor = Actor.system()
    for i in range(3):
        services.rule_create(
            organization_id=org.id,
            actor=actor,
            code=f"T{i}",
            name=f"Threshold {i}",
            kind="threshold",
            params={"min_amount": str(1000 * (i + 1)), "points": 10},
        )
    services.rule_create(
        organization_id=org.id,
        actor=actor,
        code="BASE",
        name="Base",
        kind="base",
        params={"per_amount": "100", "points": 1},
    )
    services.rule_set_active(rule=EarnRule.objects.get(code="T0"), actor=actor, active=False)
    manager.get("/api/v1/earning/rules")  # warms the key cache
    # when the thresholds are listed, active first page of two
    with django_assert_num_queries(2):
        page = manager.get("/api/v1/earning/rules?kind=threshold&limit=2")
    # then
    assert page.status_code == 200
    assert page.json()["count"] == 3
    assert [r["code"] for r in page.json()["items"]] == ["T0", "T1"]
    with django_assert_num_queries(1):
        rest = manager.get("/api/v1/earning/rules?kind=threshold&limit=2&offset=2")
    assert [r["code"] for r in rest.json()["items"]] == ["T2"]
    assert rest.json()["count"] == 3
    active = manager.get("/api/v1/earning/rules?active=true").json()
    assert sorted(r["code"] for r in active["items"]) == ["BASE", "T1", "T2"]
    stopped = manager.get("/api/v1/earning/rules?active=false").json()
    assert [r["code"] for r in stopped["items"]] == ["T0"]


def test_rule_list_query_count_does_not_grow_with_rows(manager, org, django_assert_num_queries):
    # given 30 rules
    for i in range(30):
        services.rule_create(
            organization_id=org.id,
            actor=Actor.system(),
            code=f"R{i:02}",
            name="Threshold",
            kind="threshold",
            params={"min_amount": str(100 + i), "points": 1},
        )
    manager.get("/api/v1/earning/rules?limit=1")
    # when all are listed, then one query reads them (the page is not full, so no count query)
    with django_assert_num_queries(1):
        listed = manager.get("/api/v1/earning/rules?limit=50")
    assert len(listed.json()["items"]) == 30


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {**BASE_RULE, "params": {"per_amount": "0", "points": 1}},
            400,
            RULE_PARAMS_INVALID,
            "per_amount",
        ),
        ({**BASE_RULE, "params": {"per_amount": "100"}}, 400, RULE_PARAMS_INVALID, "points"),
        ({**BASE_RULE, "member_types": ["NOPE"]}, 400, services.UNKNOWN_CODE, "member_types"),
        ({**BASE_RULE, "weekdays": [7]}, 400, services.FIELD_INVALID, "weekdays"),
        (
            {
                **BASE_RULE,
                "valid_from": "2025-05-01T00:00:00+07:00",
                "valid_to": "2025-04-01T00:00:00+07:00",
            },
            400,
            services.FIELD_INVALID,
            "valid_to",
        ),
        ({**BASE_RULE, "time_from": "12:00"}, 400, services.FIELD_INVALID, "time_to"),
        ({**EXTRA_X5, "params": {"steps": []}}, 400, RULE_PARAMS_INVALID, "steps"),
        ({**BASE_RULE, "kind": "lottery"}, 422, "invalid_input", "kind"),
        ({**BASE_RULE, "valid_from": "2025-04-01T00:00:00"}, 422, "invalid_input", "valid_from"),
        ({**BASE_RULE, "code": "X" * 41}, 422, "invalid_input", "code"),
        (
            {**BASE_RULE, "params": {"per_amount": "-5", "points": 1}},
            422,
            "invalid_input",
            "params.per_amount",
        ),
        ({**BASE_RULE, "priority": 10**12}, 422, "invalid_input", "priority"),
        ({**BASE_RULE, "params": []}, 422, "invalid_input", "params"),
    ],
)
def test_bad_rule_is_a_4xx_naming_the_field_and_stores_nothing(manager, body, status, code, field):
    response = post(manager, "/api/v1/earning/rules", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert not EarnRule.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="earning.").exists()


def test_bad_patch_changes_nothing(manager):
    # given a base rule
    assert post(manager, "/api/v1/earning/rules", BASE_RULE).status_code == 201
    before = EarnRule.objects.values().get()
    # when the kind changes without parameters of the new kind
    response = patch(manager, "/api/v1/earning/rules/BASE-GEN", {"kind": "threshold"})
    # then it is refused on the missing parameter, and the rule is as it was
    assert response.status_code == 400
    assert response.json()["code"] == RULE_PARAMS_INVALID
    assert response.json()["field"] == "min_amount"
    assert EarnRule.objects.values().get() == before


def test_duplicate_rule_code_is_409(manager):
    assert post(manager, "/api/v1/earning/rules", BASE_RULE).status_code == 201
    again = post(manager, "/api/v1/earning/rules", BASE_RULE)
    assert again.status_code == 409
    assert again.json()["code"] == services.RULE_CODE_TAKEN
    assert EarnRule.objects.count() == 1


def test_unknown_or_other_organizations_rule_is_404(manager, other_manager):
    # given a rule of this shop
    assert post(manager, "/api/v1/earning/rules", BASE_RULE).status_code == 201
    # then an unknown code is 404 with a code
    missing = manager.get("/api/v1/earning/rules/NOPE")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": E_RULE_NOT_FOUND,
        "message": "No earning rule with this code.",
        "field": "code",
    }
    # and another shop sees neither the rule nor its list entry, and cannot change or stop it
    assert other_manager.get("/api/v1/earning/rules/BASE-GEN").status_code == 404
    assert other_manager.get("/api/v1/earning/rules").json()["items"] == []
    assert (
        patch(other_manager, "/api/v1/earning/rules/BASE-GEN", {"name": "mine"}).status_code == 404
    )
    assert post(other_manager, "/api/v1/earning/rules/BASE-GEN/deactivate").status_code == 404
    assert EarnRule.objects.get().is_active is True
    assert EarnRule.objects.get().name == BASE_RULE["name"]


def test_pos_key_without_manage_is_refused(pos, org):
    # given a POS key (no can_manage)
    # then it can neither read nor change the configuration, nor preview
    for response in (
        pos.get("/api/v1/earning/rules"),
        pos.get("/api/v1/earning/rules/BASE-GEN"),
        post(pos, "/api/v1/earning/rules", BASE_RULE),
        pos.get("/api/v1/earning/campaigns"),
        pos.get("/api/v1/earning/settings"),
        patch(pos, "/api/v1/earning/settings", {"vat_rate": "10"}),
        post(
            pos,
            "/api/v1/earning/preview",
            {"lines": [], "occurred_at": "2025-03-10T10:00:00+07:00"},
        ),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
    assert not EarnRule.objects.exists()
    assert not EarnSettings.objects.exists()


def test_staff_session_follows_the_role_table(staff_client, org):
    # given an auditor (rules.view) and a cashier (neither)
    auditor = staff_client(Role.AUDITOR)
    cashier = staff_client(Role.CASHIER)
    # then the auditor reads but cannot write, the cashier cannot read
    assert auditor.get("/api/v1/earning/rules").status_code == 200
    assert auditor.get("/api/v1/earning/settings").status_code == 200
    assert cashier.get("/api/v1/earning/rules").status_code == 403
    # and marketing may change the rules
    marketing = staff_client(Role.MARKETING)
    assert (
        post(marketing, "/api/v1/earning/rules", {**BASE_RULE, "member_types": []}).status_code
        == 201
    )
    assert (
        post(
            auditor, "/api/v1/earning/rules", {**BASE_RULE, "code": "B2", "member_types": []}
        ).status_code
        == 403
    )


# --- campaigns ----------------------------------------------------------------------------------


def test_campaign_create_read_update_stop(
    manager, other_manager, branch, django_assert_num_queries
):
    # given the shop starts a "no plastic bag" campaign at its Sukhumvit branch
    created = post(
        manager,
        "/api/v1/earning/campaigns",
        {
            "code": "NOBAG",
            "name": "ไม่รับถุง",
            "branches": ["B1"],
            "bag_points": 5,
            "donation_per_bag": "1.00",
            "fund_name": "กองทุนสิ่งแวดล้อม",
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["bag_points"] == 5
    assert created.json()["donation_per_bag"] == "1.00"
    assert created.json()["bag_percent"] == "0.00"
    # when it reads it and the list
    assert manager.get("/api/v1/earning/campaigns/NOBAG").json() == created.json()
    with django_assert_num_queries(1):
        listed = manager.get("/api/v1/earning/campaigns")
    assert [c["code"] for c in listed.json()["items"]] == ["NOBAG"]
    # and raises the award to 1% of the bill, then stops the campaign
    changed = patch(manager, "/api/v1/earning/campaigns/NOBAG", {"bag_percent": "1"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["bag_percent"] == "1.00"
    assert changed.json()["bag_points"] == 5
    stopped = patch(manager, "/api/v1/earning/campaigns/NOBAG", {"is_active": False})
    assert stopped.json()["is_active"] is False
    assert Campaign.objects.get().is_active is False
    # then another shop cannot see it, and unknown codes are 404
    assert other_manager.get("/api/v1/earning/campaigns/NOBAG").status_code == 404
    missing = manager.get("/api/v1/earning/campaigns/NOPE")
    assert missing.status_code == 404
    assert missing.json()["code"] == E_CAMPAIGN_NOT_FOUND


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"bag_percent": "101"}, 400, services.FIELD_INVALID, "bag_percent"),
        ({"bag_points": -1}, 400, services.FIELD_INVALID, "bag_points"),
        ({"branches": ["B9"]}, 400, services.UNKNOWN_CODE, "branches"),
        ({"extra_discount": "1.234"}, 422, "invalid_input", "extra_discount"),
        ({"name": ""}, 422, "invalid_input", "name"),
    ],
)
def test_bad_campaign_is_a_4xx_naming_the_field(manager, body, status, code, field):
    response = post(
        manager, "/api/v1/earning/campaigns", {"code": "C1", "name": "Campaign", **body}
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert not Campaign.objects.exists()


# --- settings -----------------------------------------------------------------------------------


def test_settings_read_then_change(manager, org):
    # given nothing was stored yet: the defaults
    read = manager.get("/api/v1/earning/settings")
    assert read.status_code == 200
    assert read.json()["rounding"] == "bill"
    assert read.json()["vat_rate"] == "7.00"
    assert read.json()["version"] == 0
    # when the shop floors per line and excludes cigarettes
    changed = patch(
        manager,
        "/api/v1/earning/settings",
        {"rounding": "line", "excluded_categories": ["CIGARETTE"]},
    )
    # then
    assert changed.status_code == 200, changed.content
    assert changed.json()["rounding"] == "line"
    assert changed.json()["excluded_categories"] == ["CIGARETTE"]
    assert changed.json()["vat_rate"] == "7.00"
    assert changed.json()["version"] > 0
    stored = EarnSettings.objects.get(organization=org)
    assert (stored.rounding, stored.excluded_categories) == ("line", ["CIGARETTE"])


def test_bad_settings_change_nothing(manager, org):
    assert patch(manager, "/api/v1/earning/settings", {"rounding": "line"}).status_code == 200
    before = EarnSettings.objects.values().get()
    too_high = patch(manager, "/api/v1/earning/settings", {"vat_rate": "150", "rounding": "bill"})
    assert too_high.status_code == 400
    assert too_high.json()["field"] == "vat_rate"
    bad_rounding = patch(manager, "/api/v1/earning/settings", {"rounding": "up"})
    assert bad_rounding.status_code == 422
    assert bad_rounding.json()["field"] == "rounding"
    assert EarnSettings.objects.values().get() == before


# --- preview ------------------------------------------------------------------------------------


def test_preview_domain_example_40_plus_200(manager, org):
    # given 100 THB = 1 pt and "≥ 2,000 extra x5"
    assert post(manager, "/api/v1/earning/rules", BASE_RULE).status_code == 201
    assert post(manager, "/api/v1/earning/rules", EXTRA_X5).status_code == 201
    stored = (
        EarnRule.objects.count(),
        AuditEvent.objects.count(),
        EarnSettings.objects.values_list("version").get(),
    )
    # when a member's 4,000 THB basket is previewed
    response = post(
        manager,
        "/api/v1/earning/preview",
        {
            "lines": [
                {
                    "sku": "TV-32",
                    "category": "ELECTRONICS",
                    "brand": "SIAM",
                    "quantity": "1",
                    "unit_price": "3500.00",
                    "discount": "0",
                },
                {
                    "sku": "HDMI",
                    "category": "ELECTRONICS",
                    "brand": "",
                    "quantity": "2",
                    "unit_price": "250.00",
                    "discount": "0.00",
                },
            ],
            "occurred_at": "2025-03-10T10:00:00+07:00",
            "member_type": "GEN",
            "branch": "B1",
        },
    )
    # then 40 base points and 200 extra, each explained
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(a["rule"], a["kind"], a["points"], a["beneficiary"]) for a in body["awards"]] == [
        ("BASE-GEN", "base", 40, "member"),
        ("SPEND-2000", "spend", 200, "member"),
    ]
    assert all(a["explanation"] for a in body["awards"])
    assert body["member_points"] == 240
    assert body["eligible_net"] == "4000.00"
    # and nothing was written
    assert (
        EarnRule.objects.count(),
        AuditEvent.objects.count(),
        EarnSettings.objects.values_list("version").get(),
    ) == stored


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"lines": []}, 400, services.PREVIEW_INVALID, "lines"),
        ({"member_type": "NOPE"}, 400, services.UNKNOWN_CODE, "member_type"),
        ({"occurred_at": "2025-03-10T10:00:00"}, 422, "invalid_input", "occurred_at"),
        (
            {"lines": [{"sku": "A", "unit_price": "1e3"}]},
            422,
            "invalid_input",
            "lines.0.unit_price",
        ),
        ({"lines": [{"sku": "A", "unit_price": 100}]}, 422, "invalid_input", "lines.0.unit_price"),
    ],
)
def test_bad_preview_is_a_4xx_naming_the_field(manager, change, status, code, field):
    body = {
        "lines": [{"sku": "A", "unit_price": "100"}],
        "occurred_at": "2025-03-10T10:00:00+07:00",
        "member_type": "GEN",
    }
    response = post(manager, "/api/v1/earning/preview", {**body, **change})
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("query", "field"),
    [("colour=red", "colour"), ("actve=false", "actve"), ("limit=5&limit=10", "limit")],
)
def test_unknown_or_repeated_query_parameter_is_refused(manager, query, field):
    for path in ("/api/v1/earning/rules", "/api/v1/earning/campaigns"):
        response = manager.get(f"{path}?{query}")
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == ("invalid_input", field)


@pytest.mark.parametrize("body", [[], "x", 1])
def test_a_patch_that_is_not_an_object_is_refused(manager, body):
    response = manager.patch(
        "/api/v1/earning/settings", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert not EarnSettings.objects.exists()
