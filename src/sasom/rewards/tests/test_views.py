"""Screens: each refuses a role without its permission (403) and serves a role with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.organizations.models import Role
from sasom.rewards.models import (
    Coupon,
    CouponTemplate,
    PointsDiscountRule,
    Redemption,
    Reward,
    RewardSettings,
)
from sasom.rewards.services import coupon_issue, reward_redeem
from sasom.testing.factories import MemberFactory

from .conftest import balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def redemption(member, branch, tote_bag, give_points):
    give_points(member, 1000)
    return reward_redeem(member=member, reward=tote_bag, branch=branch, actor=Actor.system())


@pytest.fixture
def coupon(member, cash100):
    return coupon_issue(member=member, template=cash100, actor=Actor.system(), charge_points=False)


def _urls(redemption, coupon, member, tote_bag, cash100):
    return {
        "counter": (reverse("rewards:counter"), "rewards.redeem"),
        "slip": (reverse("rewards:slip", args=[redemption.pk]), "rewards.view"),
        "today": (reverse("rewards:today"), "rewards.view"),
        "cancel": (reverse("rewards:cancel", args=[redemption.pk]), "rewards.cancel"),
        "coupon_issue": (reverse("rewards:coupon_issue", args=[member.pk]), "rewards.redeem"),
        "coupon_print": (reverse("rewards:coupon_print", args=[coupon.pk]), "rewards.view"),
        "coupon_cancel": (reverse("rewards:coupon_cancel", args=[coupon.pk]), "rewards.cancel"),
        "cashier": (reverse("checkout:cashier"), "coupons.use"),
        "catalog": (reverse("rewards:catalog"), "rewards.manage"),
        "reward_new": (reverse("rewards:reward_new"), "rewards.manage"),
        "reward_edit": (reverse("rewards:reward_edit", args=[tote_bag.pk]), "rewards.manage"),
        "reward_stock": (reverse("rewards:reward_stock", args=[tote_bag.pk]), "rewards.manage"),
        "settings": (reverse("rewards:settings"), "rewards.manage"),
        "coupons": (reverse("rewards:coupons"), "coupons.manage"),
        "coupon_new": (reverse("rewards:coupon_new"), "coupons.manage"),
        "coupon_edit": (reverse("rewards:coupon_edit", args=[cash100.pk]), "coupons.manage"),
        "coupon_bulk": (reverse("rewards:coupon_bulk", args=[cash100.pk]), "coupons.manage"),
    }


# A role without the permission, and one with it, for each permission.
REFUSED = {
    "rewards.redeem": Role.MARKETING,
    "rewards.cancel": Role.CASHIER,
    "coupons.use": Role.AUDITOR,
    "rewards.manage": Role.CASHIER,
    "coupons.manage": Role.SERVICE_COUNTER,
}
ALLOWED = {
    "rewards.redeem": Role.SERVICE_COUNTER,
    "rewards.view": Role.AUDITOR,
    "rewards.cancel": Role.SERVICE_COUNTER,
    "coupons.use": Role.CASHIER,
    "rewards.manage": Role.MARKETING,
    "coupons.manage": Role.MARKETING,
}


def test_every_screen_refuses_the_wrong_role_and_serves_the_right_one(
    staff_client, redemption, coupon, member, tote_bag, cash100, django_user_model
):
    nobody = django_user_model.objects.create_user("nostaff", password="x-very-long-pass")
    outsider = Client()
    outsider.force_login(nobody, backend="django.contrib.auth.backends.ModelBackend")
    clients = {}
    for name, (url, perm) in _urls(redemption, coupon, member, tote_bag, cash100).items():
        wrong = REFUSED.get(perm)
        if wrong is None:  # every role holds rewards.view: a user who is not staff is refused
            assert outsider.get(url).status_code == 403, name
        else:
            client = clients.setdefault(wrong, staff_client(wrong))
            assert client.get(url).status_code == 403, f"{name} served to {wrong}"
            assert client.post(url, {}).status_code == 403, f"{name} accepted a POST from {wrong}"
        right = clients.setdefault(ALLOWED[perm], staff_client(ALLOWED[perm]))
        assert right.get(url).status_code in (200, 302), f"{name} refused to {ALLOWED[perm]}"


def test_counter_finds_the_member_by_phone_and_redeems(staff_client, member, branch, tote_bag, give_points):
    # given a member with 400 points and a service counter clerk at B1
    give_points(member, 400)
    client = staff_client(Role.SERVICE_COUNTER)
    url = reverse("rewards:counter") + f"?q=081-234-5678&branch={branch.pk}"
    # when the clerk looks the member up by phone
    page = client.get(url)
    # then the tote bag is offered
    assert page.status_code == 200
    assert "ถุงผ้า" in page.content.decode()
    # when the clerk redeems it
    response = client.post(url, {"reward": tote_bag.pk, "quantity": 1})
    redemption = Redemption.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rewards:slip", args=[redemption.pk])
    assert balance(member) == 100
    # and the slip prints with its number and a QR code
    slip = client.get(response["Location"]).content.decode()
    assert redemption.number in slip and "<svg" in slip and "@media print" in slip


def test_counter_shows_a_refusal_without_changing_anything(staff_client, member, branch, tote_bag, give_points):
    give_points(member, 100)
    client = staff_client(Role.SERVICE_COUNTER)
    url = reverse("rewards:counter") + f"?q={member.code}&branch={branch.pk}"
    response = client.post(url, {"reward": tote_bag.pk, "quantity": 1}, follow=True)
    assert "Not enough points" in response.content.decode() or "แต้มไม่พอ" in response.content.decode()
    assert not Redemption.objects.exists() and balance(member) == 100


def test_branch_scoped_clerk_cannot_use_another_branch(staff_client, member, branch2, tote_bag, give_points):
    give_points(member, 400)
    client = staff_client(Role.SERVICE_COUNTER)  # B1 only
    url = reverse("rewards:counter") + f"?q={member.code}&branch={branch2.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "ถุงผ้า" not in page.content.decode()
    client.post(url, {"reward": tote_bag.pk, "quantity": 1})
    assert not Redemption.objects.exists()


def test_unknown_member_is_a_form_error(staff_client, branch):
    page = staff_client(Role.SERVICE_COUNTER).get(reverse("rewards:counter") + f"?q=nobody&branch={branch.pk}")
    assert page.status_code == 200
    assert page.context["member"] is None and page.context["find"].errors["q"]


def test_day_list_and_csv(staff_client, redemption, django_assert_max_num_queries):
    client = staff_client(Role.BRANCH_MANAGER)
    day = redemption.created_at.astimezone().date().isoformat()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("rewards:today") + f"?day={day}")
    assert redemption.number in page.content.decode()
    csv_response = client.get(reverse("rewards:today") + f"?day={day}&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode("utf-8-sig").splitlines()
    assert body[0].startswith("slip,") and redemption.number in body[1] and "ถุงผ้า" in body[1]
    when = dt.datetime.fromisoformat(body[1].split(",")[1])
    assert when.utcoffset() == dt.timedelta(hours=7) and when == redemption.created_at.replace(microsecond=0)


def test_day_list_query_count_does_not_grow(staff_client, org, member, branch, tote_bag, give_points, django_assert_max_num_queries):
    Reward.objects.filter(pk=tote_bag.pk).update(limit_quantity=None, stock=50)
    tote_bag.refresh_from_db()
    give_points(member, 3000)
    for _ in range(8):
        reward_redeem(member=member, reward=tote_bag, branch=branch, actor=Actor.system())
    client = staff_client(Role.ADMIN)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("rewards:today"))
    assert page.content.decode().count("RD000000") == 8


def test_cancel_without_reason_changes_nothing(staff_client, redemption):
    client = staff_client(Role.SERVICE_COUNTER)
    response = client.post(reverse("rewards:cancel", args=[redemption.pk]), {"reason": ""})
    assert response.status_code == 302
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.DONE


def test_counter_cancels_from_the_day_list(staff_client, member, tote_bag, redemption):
    client = staff_client(Role.SERVICE_COUNTER)
    response = client.post(reverse("rewards:cancel", args=[redemption.pk]), {"reason": "ผิดรายการ"})
    assert response.status_code == 302
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.CANCELLED
    assert balance(member) == 1000 and Reward.objects.get(pk=tote_bag.pk).stock == 5


def test_marketing_creates_a_reward_with_stock(staff_client, member_type):
    client = staff_client(Role.MARKETING)
    response = client.post(
        reverse("rewards:reward_new"),
        {"code": "mug", "name": "แก้วน้ำ", "name_en": "Mug", "points_cost": 500, "cash_copay": "0",
         "stock_mode": "global", "limit_period": "lifetime", "is_active": "on", "sort_order": 0,
         "member_types": [member_type.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reward = Reward.objects.get(code="MUG")
    assert list(reward.member_types.all()) == [member_type]
    client.post(reverse("rewards:reward_stock", args=[reward.pk]), {"delta": 12, "reason": "รับของ"})
    assert Reward.objects.get(pk=reward.pk).stock == 12
    # a write-off larger than the stock is refused
    client.post(reverse("rewards:reward_stock", args=[reward.pk]), {"delta": -13})
    assert Reward.objects.get(pk=reward.pk).stock == 12
    # a duplicate code is a form error on the code
    page = client.post(reverse("rewards:reward_new"), {"code": "MUG", "name": "x", "points_cost": 1, "cash_copay": "0",
                                                       "stock_mode": "unlimited", "limit_period": "lifetime", "sort_order": 0})
    assert page.status_code == 200 and page.context["form"].errors["code"]


def test_marketing_sets_up_points_as_money(staff_client, org):
    client = staff_client(Role.MARKETING)
    response = client.post(
        reverse("rewards:settings"),
        {"form": "rule", "points_per_unit": 10, "min_points": 100, "max_bill_percent": "30",
         "max_balance_percent": "50", "is_active": "on"},
    )
    assert response.status_code == 302
    assert PointsDiscountRule.objects.get(organization=org).max_bill_percent == Decimal("30")
    client.post(reverse("rewards:settings"), {"form": "purchase", "point_price": "0.50", "purchase_max_points": 200})
    settings = RewardSettings.objects.get(organization=org)
    assert (settings.point_price, settings.purchase_max_points) == (Decimal("0.50"), 200)


def test_marketing_creates_a_coupon_and_bulk_issues_with_preview(staff_client, org, member_type):
    members = [MemberFactory(organization=org, member_type=member_type) for _ in range(3)]
    client = staff_client(Role.MARKETING)
    response = client.post(
        reverse("rewards:coupon_new"),
        {"code": "new50", "name": "ส่วนลด 50 บาท", "kind": "discount", "discount_kind": "amount", "value": "50",
         "min_spend": "300", "points_cost": 0, "validity_days": 14, "products": "", "categories": "SNACK, DRINKS",
         "text": "ใช้ได้ถึงสิ้นเดือน", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    template = CouponTemplate.objects.get(code="NEW50")
    assert template.category_codes == ["SNACK", "DRINKS"]
    url = reverse("rewards:coupon_bulk", args=[template.pk])
    # the bulk issue offers the shared segment form (the broadcasts' conditions)
    page = client.get(url).content.decode()
    assert 'name="tags"' in page and 'name="last_purchase_before"' in page and 'name="balance_at_least"' in page
    assert f'type="checkbox" name="member_types" value="{member_type.pk}"' in page  # ticked, not a list box
    preview = client.post(url, {"action": "preview", "member_types": [member_type.pk]})
    assert preview.context["count"] == len(members)
    assert members[0].code in preview.content.decode()  # the sample, before issuing
    assert not Coupon.objects.exists()
    # a segment refusal shows on its field: no 500, nothing issued
    bad = client.post(url, {"action": "issue", "spent_from": "2026-06-30", "spent_to": "2026-06-01",
                            "expected_count": 3})
    assert bad.status_code == 200 and "spent_to" in bad.context["form"].errors
    assert not Coupon.objects.exists()
    client.post(url, {"action": "issue", "member_types": [member_type.pk], "expected_count": 3})
    assert Coupon.objects.filter(template=template).count() == 3


def test_cashier_quotes_uses_a_coupon_and_pays_with_points(staff_client, org, member, terminal, cash100, give_points):
    # given 5,000 points, 10 points = 1 baht (30 % of the bill, 50 % of the balance) and a cash coupon
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10, max_bill_percent=30, max_balance_percent=50)
    give_points(member, 5000)
    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=Actor.system())
    client = staff_client(Role.CASHIER)
    bill = {"q": member.code, "terminal": terminal.pk, "bill_amount": "1000.00", "receipt_id": "B1-7001"}
    # when the cashier checks the bill
    page = client.get(reverse("checkout:cashier"), bill)
    assert page.context["quote"].max_points == 2500
    # and scans the coupon
    client.post(reverse("checkout:cashier"), {**bill, "action": "coupon", "coupon_code": coupon.code})
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.USED
    # and applies 2,000 points
    response = client.post(reverse("checkout:cashier"), {**bill, "action": "points", "points": 2000})
    assert response.status_code == 302
    assert balance(member) == 3000 + 8  # 800 baht paid earns 8 points
    # scanning the same coupon again is refused
    again = client.post(reverse("checkout:cashier"), {**bill, "receipt_id": "B1-7002", "action": "coupon", "coupon_code": coupon.code})
    assert again.context["form"].errors.get("coupon_code") or again.status_code == 200
    assert Coupon.objects.get(pk=coupon.pk).used_bill_reference == "B1-7001"
