"""The back office and the portal in Persian, in a real browser: right to left, mirrored menus,
nothing wider than a phone (390 px), numbers and codes still left to right.

Screenshots go to ``SASOM_SCREENSHOTS`` when set (``fa-*.png``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sasom.core.audit import Actor
from sasom.ledger.services import account_for, points_adjust
from sasom.notifications.backends import MemoryBackend
from sasom.organizations.models import Role
from sasom.testing.factories import MemberFactory, MemberTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "pass-1234-word"
PERSIAN = re.compile("[\u0600-\u06ff]{2,}")


@pytest.fixture
def shop(org, branch, make_staff, settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemoryBackend.clear()
    org.name, org.language = "فروشگاه سپیده", "fa"
    org.save(update_fields=["name", "language"])
    general = MemberTypeFactory(organization=org, code="GEN", name="عضو عادی", is_default=True)
    sara = MemberFactory(organization=org, member_type=general, code="M0000042", phone="+66812345678",
                         first_name="سارا", last_name="محمدی", language="fa")
    points_adjust(account=account_for(sara), points=1250, reason="opening", actor=Actor.system("test"))
    make_staff(Role.OWNER, username="owner1")
    yield sara
    MemoryBackend.clear()


def in_persian(page: Page, live_server) -> Page:
    page.context.add_cookies([{"name": "django_language", "value": "fa", "url": live_server.url}])
    return page


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    assert PERSIAN.search(page.locator("body").inner_text()), page.url


def log_in(page: Page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "owner1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_back_office_in_persian_on_a_phone(new_page, live_server, shop, screenshot_dir):
    page = in_persian(new_page(viewport=PHONE), live_server)
    log_in(page)
    for name, path in [("dashboard", "/"), ("members", "/members/"), ("member", f"/members/{shop.pk}/"),
                       ("reports", "/reports/"), ("staff", "/org/staff/")]:
        page.goto(path)
        page.screenshot(path=str(screenshot_dir / f"fa-{name}-phone.png"), full_page=True)
        fits(page, PHONE["width"])
    # the phone number keeps its order inside the right-to-left page
    page.goto(f"/members/{shop.pk}/")
    expect(page.locator("#member-phone bdi")).to_have_text("+66812345678")
    assert page.evaluate("getComputedStyle(document.querySelector('#member-phone bdi')).direction") == "ltr"
    # the brand stands on the right; the opened menu reads from the right edge
    brand = page.locator("a.brand").bounding_box()
    assert brand is not None and brand["x"] + brand["width"] > PHONE["width"] * 0.75
    page.click("label.navbutton")
    expect(page.locator("nav.mainnav")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "fa-menu-phone.png"), full_page=True)
    first = page.locator("nav.mainnav > a, nav.mainnav > details > summary").first.bounding_box()
    assert first is not None and first["x"] + first["width"] > PHONE["width"] * 0.75
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_back_office_menu_is_mirrored_on_a_desktop(new_page, live_server, shop, screenshot_dir):
    page = in_persian(new_page(viewport=DESKTOP), live_server)
    log_in(page)
    page.goto("/members/")
    page.screenshot(path=str(screenshot_dir / "fa-members-desktop.png"), full_page=True)
    fits(page, DESKTOP["width"])
    items = page.locator("nav.mainnav > a, nav.mainnav > details > summary")
    first, last = items.first.bounding_box(), items.last.bounding_box()
    # the menu runs from right to left: its first entry is right of its last
    assert first is not None and last is not None and first["x"] > last["x"]
    # and a menu group opens under its own entry, inside the page
    page.locator("nav.mainnav details.navgroup > summary").first.click()
    menu = page.locator("details.navgroup[open] .navmenu").bounding_box()
    assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= DESKTOP["width"]


def test_the_portal_in_persian_on_a_phone(new_page, live_server, org, shop, screenshot_dir):
    page = in_persian(new_page(viewport=PHONE), live_server)
    page.goto(f"/m/{org.code}/")
    expect(page).to_have_url(re.compile(r"/login/$"))
    fits(page, PHONE["width"])
    page.fill("input[name=phone]", "081-234-5678")
    page.click("#send-code")
    code = re.search(r"\b(\d{6})\b", MemoryBackend.to("+66812345678")[-1].body).group(1)
    page.fill("input[name=code]", code)
    page.click("#log-in")
    # her card: Persian words around left-to-right figures and code
    expect(page.locator("#spendable")).to_have_text("1,250")
    expect(page.locator("#member-code")).to_have_text("M0000042")
    assert page.evaluate("getComputedStyle(document.querySelector('#member-code')).direction") == "ltr"
    expect(page.locator("nav.ptabs")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "fa-portal-home-phone.png"), full_page=True)
    fits(page, PHONE["width"])
    # the tabs run from the right: "My card" first
    tabs = page.locator("nav.ptabs a")
    first, last = tabs.first.bounding_box(), tabs.last.bounding_box()
    assert first is not None and last is not None and first["x"] > last["x"]
    for tab in ("points", "coupons", "rewards", "me"):
        page.click(f"nav.ptabs a[href$='/{tab}/']")
        page.screenshot(path=str(screenshot_dir / f"fa-portal-{tab}-phone.png"), full_page=True)
        fits(page, PHONE["width"])
    page.click("nav.ptabs a[href$='/points/']")
    expect(page.locator("#entries")).to_contain_text("+1,250")
