"""A member on their phone: types their number, the code from the SMS, and sees their points."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sasom.core.audit import Actor
from sasom.ledger.services import account_for, points_adjust
from sasom.notifications.backends import MemoryBackend
from sasom.testing.factories import MemberFactory, MemberTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sms(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemoryBackend.clear()
    yield MemoryBackend
    MemoryBackend.clear()


def test_member_logs_in_with_phone_and_code_and_sees_the_balance(new_page, org, sms, screenshot_dir):
    # given Malee, a member with 1,250 points
    general = MemberTypeFactory(organization=org, code="GEN", name="สมาชิกทั่วไป", is_default=True)
    malee = MemberFactory(organization=org, member_type=general, code="M0000042", phone="+66812345678",
                          first_name="มาลี", last_name="ศรีสุข")
    points_adjust(account=account_for(malee), points=1250, reason="opening", actor=Actor.system("test"))
    page = new_page(viewport=PHONE)

    # when she opens her shop's portal on her phone and types her number the Thai way
    page.goto(f"/m/{org.code}/")
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.fill("input[name=phone]", "081-234-5678")
    page.click("#send-code")
    # then she is asked for the code, and the SMS brought one
    expect(page.locator("h1")).to_contain_text("ใส่รหัส")
    sent = sms.to("+66812345678")
    assert len(sent) == 1
    code = re.search(r"\b(\d{6})\b", sent[0].body).group(1)

    # when she types it
    page.fill("input[name=code]", code)
    page.click("#log-in")
    # then her card shows her name, code and balance, and the page fits the phone
    expect(page.locator("#spendable")).to_have_text("1,250")
    expect(page.locator("#member-code")).to_have_text("M0000042")
    expect(page.locator(".pname")).to_contain_text("มาลี ศรีสุข")
    expect(page.locator("nav.ptabs")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "portal-home-phone.png"), full_page=True)

    # and she can read her history, then log out
    page.click("nav.ptabs a[href$='/points/']")
    expect(page.locator("#entries")).to_contain_text("+1,250")
    page.click("nav.ptabs a[href$='/me/']")
    page.click("#log-out")
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(f"/m/{org.code}/points/")
    expect(page).to_have_url(re.compile(r"/login/$"))
