"""Screens: who may see and change rules, and that each screen works."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.earning import services
from sasom.earning.models import Campaign, EarnRule, EarnSettings
from sasom.organizations.models import Role

VIEWERS = [Role.OWNER, Role.ADMIN, Role.MARKETING, Role.AUDITOR]
REFUSED_VIEW = [Role.CASHIER, Role.BRANCH_MANAGER, Role.SERVICE_COUNTER]
MANAGERS = [Role.OWNER, Role.ADMIN, Role.MARKETING]
REFUSED_MANAGE = [Role.AUDITOR, Role.CASHIER, Role.BRANCH_MANAGER]


@pytest.fixture
def rule(org, member_type, actor):
    return services.rule_create(
        organization_id=org.pk, actor=actor, code="BASE-GEN", name="Base GEN", kind="base",
        member_types=["GEN"], params={"per_amount": "25", "points": 1},
    )


@pytest.fixture
def campaign(org, actor):
    return services.campaign_create(organization_id=org.pk, actor=actor, code="NOBAG", name="No bag", bag_points=5)


READ_URLS = ["earning:rules", "earning:campaigns", "earning:settings", "earning:preview"]


@pytest.mark.parametrize("role", REFUSED_VIEW)
@pytest.mark.parametrize("name", READ_URLS)
def test_read_screens_refused_without_rules_view(staff_client, role, name):
    assert staff_client(role).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("name", READ_URLS)
def test_read_screens_allowed_with_rules_view(staff_client, role, name, member_type):
    assert staff_client(role).get(reverse(name)).status_code == 200


def manage_urls(rule, campaign):
    return [
        ("get", reverse("earning:rule_create"), None),
        ("get", reverse("earning:rule_edit", args=[rule.pk]), None),
        ("get", reverse("earning:rule_kind_fields") + "?kind=spend", None),
        ("post", reverse("earning:rule_toggle", args=[rule.pk]), {}),
        ("get", reverse("earning:campaign_create"), None),
        ("get", reverse("earning:campaign_edit", args=[campaign.pk]), None),
        ("post", reverse("earning:settings"), {"rounding": "bill", "vat_rate": "7"}),
    ]


@pytest.mark.parametrize("role", REFUSED_MANAGE)
def test_manage_screens_refused_without_rules_manage(staff_client, role, rule, campaign):
    client = staff_client(role)
    for method, url, data in manage_urls(rule, campaign):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 403, url
    assert EarnRule.objects.get(pk=rule.pk).is_active
    assert EarnSettings.objects.get(organization_id=rule.organization_id).base_includes_vat


@pytest.mark.parametrize("role", MANAGERS)
def test_manage_screens_allowed_with_rules_manage(staff_client, role, rule, campaign):
    client = staff_client(role)
    for method, url, data in manage_urls(rule, campaign):
        response = getattr(client, method)(url, data or {})
        assert response.status_code in (200, 302), url


def test_rule_list_shows_rules_with_pinned_queries(staff_client, rule, org, actor, django_assert_max_num_queries):
    for i in range(5):
        services.rule_create(organization_id=org.pk, actor=actor, code=f"T{i}", name=f"Threshold {i}", kind="threshold",
                             branches=[], params={"min_amount": "1000", "points": 10})
    client = staff_client(Role.MARKETING)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("earning:rules"))
    body = response.content.decode()
    assert "BASE-GEN" in body and "T4" in body and "25.00 = 1 pt" in body


def test_create_a_spend_rule_through_the_form(staff_client, org, member_type):
    client = staff_client(Role.MARKETING)
    response = client.post(reverse("earning:rule_create"), {
        "code": "STEPS", "name": "Spend steps", "kind": "spend", "priority": "40", "is_active": "on",
        "member_types": ["GEN"], "p-steps": "2000 multiply 2\n3000 multiply 3",
    })
    assert response.status_code == 302
    rule = EarnRule.objects.get(organization_id=org.pk, code="STEPS")
    assert [s["min_amount"] for s in rule.params["steps"]] == ["2000.00", "3000.00"]


def test_bad_rule_form_shows_the_field_error_and_stores_nothing(staff_client, org):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("earning:rule_create"), {
        "code": "BAD", "name": "Bad", "kind": "spend", "priority": "0", "p-steps": "2000 multiply",
    })
    assert response.status_code == 200
    assert "amount mode value" in response.content.decode()
    assert not EarnRule.objects.filter(code="BAD").exists()


def test_edit_a_rule_and_toggle_it(staff_client, rule):
    client = staff_client(Role.ADMIN)
    response = client.post(reverse("earning:rule_edit", args=[rule.pk]), {
        "code": "BASE-GEN", "name": "Base GEN 20", "kind": "base", "priority": "0", "is_active": "on",
        "member_types": ["GEN"], "p-per_amount": "20", "p-points": "1",
    })
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params["per_amount"] == "20.00" and rule.name == "Base GEN 20"
    client.post(reverse("earning:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.is_active


def test_rule_of_another_organization_is_not_found(staff_client, other_org, actor):
    foreign = services.rule_create(organization_id=other_org.pk, actor=actor, code="X", name="x", kind="threshold",
                                   params={"min_amount": "1", "points": 1})
    assert staff_client(Role.ADMIN).get(reverse("earning:rule_edit", args=[foreign.pk])).status_code == 404


def test_kind_fields_partial_swaps_the_parameters(staff_client):
    body = staff_client(Role.ADMIN).get(reverse("earning:rule_kind_fields") + "?kind=golden_minute").content.decode()
    assert 'name="p-min_amount"' in body and 'name="p-mode"' in body and 'name="p-steps"' not in body


def test_campaign_form_creates_a_campaign(staff_client, org):
    response = staff_client(Role.MARKETING).post(reverse("earning:campaign_create"), {
        "code": "NOBAG", "name": "ไม่รับถุง", "priority": "0", "is_active": "on", "bag_percent": "0", "bag_points": "5",
        "donation_per_bag": "1", "extra_discount": "0", "combinable": "on",
    })
    assert response.status_code == 302
    assert Campaign.objects.get(organization_id=org.pk, code="NOBAG").bag_points == 5


def test_preview_shows_each_award_with_its_explanation(staff_client, rule):
    response = staff_client(Role.MARKETING).post(reverse("earning:preview"), {
        "lines": "LIP01, BEAUTY, , 1, 500, 0\nRICE, FOOD, , 2, 250, 0",
        "is_member": "on", "member_type": "GEN", "occurred_at": "2025-03-10T12:30", "bill_discount": "0",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "1,000.00 บาท ÷ 25 × 1 = 40 แต้ม" in body  # a Thai screen: the explanation in Thai (earning.explain)


def test_preview_with_a_bad_line_shows_a_form_error(staff_client, member_type):
    response = staff_client(Role.ADMIN).post(reverse("earning:preview"), {
        "lines": "LIP01, BEAUTY, , x, 500", "is_member": "on", "member_type": "GEN", "occurred_at": "2025-03-10T12:30",
    })
    assert response.status_code == 200
    assert "lines" in response.context["form"].errors
