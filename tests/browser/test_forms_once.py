"""Double clicks, refreshes and resends in a real browser: a back-office form that creates or
spends has one effect however often it is sent (``core.forms_once``, post/redirect/get)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sasom.ledger.models import Entry
from sasom.organizations.models import Role
from sasom.rewards.models import Coupon, CouponTemplate
from sasom.testing.factories import MemberFactory, MemberTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"

# Sends the page's form twice more with the body it carries now, as a browser's "resend"
# (refresh of a POST answer) or the back button and submit again would.
RESEND = """async (selector) => {
  const form = document.querySelector(selector);
  const body = new FormData(form);
  const submitter = form.querySelector('button.primary');
  if (submitter && submitter.name) body.append(submitter.name, submitter.value);
  for (let i = 0; i < 2; i++) await fetch(form.getAttribute('action') || location.href, {method: 'POST', body, redirect: 'manual'});
}"""


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/$"))


@pytest.fixture
def shop(org, branch, make_staff):
    general = MemberTypeFactory(organization=org, code="GEN", name="สมาชิกทั่วไป", is_default=True)
    members = [MemberFactory(organization=org, member_type=general) for _ in range(3)]
    make_staff(Role.ADMIN, username="admin1")
    template = CouponTemplate.objects.create(
        organization=org, code="CASH50", name="เงินสด 50 บาท", kind="cash", value=50, points_cost=0, validity_days=30,
    )
    return {"general": general, "members": members, "template": template}


def test_bulk_coupon_issue_double_clicked_refreshed_and_resent_issues_once(new_page, shop):
    # given the admin on the bulk issue screen with the count previewed
    page = new_page()
    log_in(page, "admin1")
    page.goto(f"/rewards/coupons/{shop['template'].pk}/bulk/")
    page.check(f"input[name=member_types][value='{shop['general'].pk}']")
    page.click("button[value=preview]")
    expect(page.locator("#preview")).to_contain_text("3")

    # when the issue form is sent as it is twice (resend), then its button double-clicked
    page.evaluate(RESEND, "form:has(button[value=issue])")
    page.dblclick("button[value=issue]")
    expect(page.locator("main")).to_contain_text(re.compile("3"))
    page.wait_for_load_state("networkidle")
    # and the result page is refreshed
    page.reload()
    page.wait_for_load_state("networkidle")

    # then three coupons, one per member
    assert Coupon.objects.filter(template=shop["template"]).count() == 3
    assert page.url.split("?")[1].startswith("batch=")


def test_points_adjustment_double_clicked_and_resent_adjusts_once(new_page, shop):
    member = shop["members"][0]
    # given the admin on a member's points adjustment form
    page = new_page()
    log_in(page, "admin1")
    page.goto(f"/points/members/{member.pk}/adjust/")
    page.fill("input[name=points]", "75")
    page.fill("textarea[name=reason]", "ชดเชยสินค้าเสีย")

    # when the form is sent again as it is (resend), then double-clicked, then refreshed
    page.evaluate(RESEND, "form:has(input[name=points])")
    page.dblclick("form:has(input[name=points]) button.primary")
    expect(page).to_have_url(re.compile(r"done=1"))
    page.wait_for_load_state("networkidle")
    page.reload()
    page.wait_for_load_state("networkidle")

    # then the member got 75 points once
    assert list(Entry.objects.filter(kind="adjust").values_list("amount", flat=True)) == [75]
