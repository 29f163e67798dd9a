"""The till, a cashier's day: scan, change quantities, find the member, coupons and points, post
once, print the receipt.

The shop (the ledger's rules: 100 THB = 1 pt): rice 100.00 (barcode 8850002), chips 20.00
(barcode 8850001), beer 60.00 (alcohol: no member discount). VIP members: 10 % off, 5 % more in
their birth month; the VIP table sells rice at 90.00. Sasom's prices win. One terminal at B1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sasom.catalog import price_tables
from sasom.catalog.models import Barcode, Category, Product
from sasom.checkout.till import SESSION_KEY, TERMINAL_COOKIE
from sasom.core.audit import Actor
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_post
from sasom.ledger.services.points import account_for, points_adjust
from sasom.ledger.tests.conftest import basket as ledger_basket
from sasom.members.models import MemberType
from sasom.organizations.models import Role
from sasom.rewards.models import Coupon, CouponTemplate, PointsDiscountRule
from sasom.rewards.services import coupon_issue
from sasom.testing.factories import BranchFactory, MemberFactory, MemberTypeFactory, TerminalFactory

SYSTEM = Actor.system("test")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(org, branch, terminal):
    food = Category.objects.create(organization=org, code="FOOD", name_th="อาหาร")
    alcohol = Category.objects.create(organization=org, code="ALCOHOL", name_th="เครื่องดื่มแอลกอฮอล์")
    make = Product.objects.create
    rice = make(organization=org, sku="RICE", name_th="ข้าวหอมมะลิ", category=food, base_price=Decimal("100.00"))
    chips = make(organization=org, sku="CHIPS", name_th="มันฝรั่งทอด", category=food, base_price=Decimal("20.00"))
    make(organization=org, sku="BEER", name_th="เบียร์", category=alcohol, base_price=Decimal("60.00"))
    Barcode.objects.create(organization=org, product=rice, code="8850002")
    Barcode.objects.create(organization=org, product=chips, code="8850001")
    MemberTypeFactory(organization=org, code="VIP", name="วีไอพี", discount_percent=Decimal("10"),
                      birthday_discount_percent=Decimal("5"), birthday_scope="month")
    table = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="VIP", name="VIP",
                                            member_types=["VIP"])
    price_tables.price_set(table=table, actor=SYSTEM, product_code="RICE", price="90.00")
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={
        "authority": "sasom", "open_lines": False, "member_discount_excluded_categories": ["ALCOHOL"]})
    return org


@pytest.fixture
def vip(shop):
    today = timezone.localdate()
    born = dt.date(1990, 1 if today.month != 1 else 2, 10)  # not this month: no birthday discount
    return MemberFactory(organization=shop, member_type=MemberType.objects.get(organization=shop, code="VIP"), code="V0000001",
                         phone="+66810000001", birth_on=born)


@pytest.fixture
def cashier(staff_client, shop):
    return staff_client(Role.CASHIER)


def scan(client, code):
    return client.post(reverse("checkout:till_scan"), {"code": code}, **HX)


def line(client, index, action, quantity=""):
    return client.post(reverse("checkout:till_line", args=[index]), {"action": action, "quantity": quantity}, **HX)


def basket(client):
    return client.session[SESSION_KEY]


def post_sale(client):
    return client.post(reverse("checkout:till_commit"), {"token": basket(client)["token"]})


def test_scanning_adds_priced_lines_and_a_second_scan_adds_to_the_line(cashier):
    # when the cashier scans the chips' barcode, types the rice's SKU, and scans the chips again
    scan(cashier, "8850001")
    scan(cashier, "RICE")
    answer = scan(cashier, "8850001")
    # then two lines: the chips twice (stored under its SKU), each with its name and price
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "มันฝรั่งทอด" in body and "ข้าวหอมมะลิ" in body
    assert basket(cashier)["lines"] == [["CHIPS", "2"], ["RICE", "1"]]
    out = answer.context["quote"]
    assert [(ln.sku, ln.unit_price, ln.net) for ln in out.lines] == [
        ("CHIPS", Decimal("20.00"), Decimal("40.00")), ("RICE", Decimal("100.00"), Decimal("100.00"))]
    assert out.net == Decimal("140.00")
    assert basket(cashier)["receipt_id"] == "B1-T1-000001"


def test_an_unknown_barcode_is_named_and_nothing_is_added(cashier):
    scan(cashier, "RICE")
    answer = scan(cashier, "9999999999999")
    assert answer.status_code == 200
    assert "9999999999999" in answer.content.decode()
    assert basket(cashier)["lines"] == [["RICE", "1"]]


@pytest.mark.parametrize("bad", ["", "x" * 80, "99999*RICE", "0*RICE"])
def test_absurd_scans_are_refused_as_messages(cashier, bad):
    answer = scan(cashier, bad)
    assert answer.status_code == 200
    assert basket(cashier)["lines"] == []


def test_quantity_keys_typed_quantities_and_remove(cashier):
    scan(cashier, "RICE")
    scan(cashier, "CHIPS")
    line(cashier, 0, "inc")
    line(cashier, 1, "set", "12")
    assert basket(cashier)["lines"] == [["RICE", "2"], ["CHIPS", "12"]]
    line(cashier, 0, "dec")
    line(cashier, 0, "dec")  # one less than one: the line goes
    assert basket(cashier)["lines"] == [["CHIPS", "12"]]
    # absurd quantities are refused with their bounds, the line unchanged
    for bad in ("100000", "-3", "0", "abc", "1e9"):
        answer = line(cashier, 0, "set", bad)
        assert answer.status_code == 200
    assert basket(cashier)["lines"] == [["CHIPS", "12"]]
    assert line(cashier, 7, "inc").status_code == 200  # a line that is gone
    line(cashier, 0, "remove")
    assert basket(cashier)["lines"] == []


def test_the_member_is_found_by_phone_and_gets_the_member_price_and_discount(cashier, vip):
    points_adjust(account=account_for(vip), points=120, reason="opening", actor=SYSTEM)
    scan(cashier, "RICE")
    scan(cashier, "BEER")
    answer = cashier.post(reverse("checkout:till_member"), {"q": "0810000001"}, **HX)
    out = answer.context["quote"]
    # then the VIP price of rice less 10 %, the beer at its price with the reason it has none
    assert [(ln.sku, ln.list_price, ln.unit_price, ln.price_source, ln.member_discount, ln.net) for ln in out.lines] == [
        ("RICE", Decimal("100.00"), Decimal("90.00"), "table:VIP", Decimal("9.00"), Decimal("81.00")),
        ("BEER", Decimal("60.00"), Decimal("60.00"), "base", Decimal("0.00"), Decimal("60.00"))]
    body = answer.content.decode()
    assert "วีไอพี" in body and "V0000001" in body
    assert out.points_earned == 1 and out.balance.spendable == 120 and out.balance_after.spendable == 121
    rows = answer.context["rows"]
    assert [s.reason for s in rows[1].steps] and "ALCOHOL" in rows[1].steps[0].reason
    # and an unknown phone says so, keeping the member
    again = cashier.post(reverse("checkout:till_member"), {"q": "0899999999"}, **HX)
    assert again.context["member"] is None or again.context["member"] == vip
    cashier.post(reverse("checkout:till_member"), {"action": "clear"}, **HX)
    assert basket(cashier)["member_id"] is None


def test_the_birthday_month_adds_its_discount_with_its_reason(cashier, vip):
    vip.birth_on = timezone.localdate().replace(year=1990, day=1)
    vip.save()
    scan(cashier, "RICE")
    answer = cashier.post(reverse("checkout:till_member"), {"q": vip.code}, **HX)
    steps = [(s.kind, s.amount) for s in answer.context["quote"].lines[0].steps]
    assert ("member_discount", Decimal("9.00")) in steps and ("birthday_discount", Decimal("4.50")) in steps


def test_coupons_and_points_are_applied_in_the_quote_and_posted(cashier, vip, org):
    # given a VIP with 500 points (10 points = 1 THB) and a 50 THB discount coupon
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    points_adjust(account=account_for(vip), points=500, reason="opening", actor=SYSTEM)
    template = CouponTemplate.objects.create(organization=org, code="D50", name="ลด 50 บาท", kind="discount",
                                             value=Decimal("50"), points_cost=0, validity_days=30)
    coupon = coupon_issue(member=vip, template=template, actor=SYSTEM, charge_points=False)
    for _ in range(10):
        scan(cashier, "RICE")
    answer = cashier.post(reverse("checkout:till_member"), {"q": vip.phone}, **HX)
    assert 'name="quantity" value="10"' in answer.content.decode()  # never "1E+1"
    assert coupon.code in [code for code, _label in answer.context["payment_form"].fields["coupons"].choices]
    # when the cashier ticks the coupon and types 200 points
    answer = cashier.post(reverse("checkout:till_payment"), {"coupons": [coupon.code], "points": "200"}, **HX)
    out = answer.context["quote"]
    # then 10 x 90 = 900 less 90 (10 %), less the 50.00 coupon, less 20.00 of points = 740
    assert (out.gross, out.member_discount, out.coupon_discount, out.points_paid, out.net) == (
        Decimal("900.00"), Decimal("90.00"), Decimal("50.00"), Decimal("20.00"), Decimal("740.00"))
    # and more points than the member has are refused, keeping the 200
    refused = cashier.post(reverse("checkout:till_payment"), {"coupons": [coupon.code], "points": "5000"}, **HX)
    assert refused.context["quote"].redeem_points == 200
    # when posted
    done = post_sale(cashier)
    sale = Sale.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("checkout:till_receipt", args=[sale.pk])
    assert (sale.net, sale.points_used, sale.points_discount, sale.coupon_discount, sale.points_earned) == (
        Decimal("740.00"), 200, Decimal("20.00"), Decimal("50.00"), out.points_earned)
    assert Coupon.objects.get(pk=coupon.pk).status == Coupon.Status.USED
    assert account_for(vip).spendable == 500 - 200 + out.points_earned


def test_an_expired_coupon_is_not_offered(cashier, vip, org):
    # given two coupons of the member, one of them past its date
    template = CouponTemplate.objects.create(organization=org, code="D50", name="ลด 50 บาท", kind="discount",
                                             value=Decimal("50"), points_cost=0, validity_days=30)
    fresh = coupon_issue(member=vip, template=template, actor=SYSTEM, charge_points=False)
    stale = coupon_issue(member=vip, template=template, actor=SYSTEM, charge_points=False)
    Coupon.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    scan(cashier, "RICE")
    # when the member is found
    answer = cashier.post(reverse("checkout:till_member"), {"q": vip.phone}, **HX)
    # then only the coupon still valid is offered
    assert [code for code, _label in answer.context["payment_form"].fields["coupons"].choices] == [fresh.code]


def test_a_coupon_not_offered_is_refused(cashier, vip):
    scan(cashier, "RICE")
    cashier.post(reverse("checkout:till_member"), {"q": vip.phone}, **HX)
    answer = cashier.post(reverse("checkout:till_payment"), {"coupons": ["NOTMINE"], "points": ""}, **HX)
    assert answer.status_code == 200 and basket(cashier)["coupons"] == []


def test_post_shows_the_receipt_and_a_double_post_posts_once(cashier, vip):
    scan(cashier, "8850002")
    scan(cashier, "8850002")
    cashier.post(reverse("checkout:till_member"), {"q": vip.code}, **HX)
    token = basket(cashier)["token"]
    # when the form is posted twice (a double click), and the page refreshed
    first = cashier.post(reverse("checkout:till_commit"), {"token": token})
    second = cashier.post(reverse("checkout:till_commit"), {"token": token})
    # then one sale; both go to its receipt
    sale = Sale.objects.get()
    assert first["Location"] == second["Location"] == reverse("checkout:till_receipt", args=[sale.pk])
    assert (sale.receipt_id, sale.net, sale.member, sale.points_earned) == ("B1-T1-000001", Decimal("162.00"), vip, 1)
    receipt = cashier.get(first["Location"])
    body = receipt.content.decode()
    assert receipt.status_code == 200 and "ข้าวหอมมะลิ" in body and "162.00" in body and "Points earned" in body
    # and the next sale starts empty with the next receipt number
    assert basket(cashier)["lines"] == []
    scan(cashier, "CHIPS")
    assert basket(cashier)["receipt_id"] == "B1-T1-000002"


def test_two_racing_posts_of_one_bill_store_one_sale(cashier, vip, client):
    # given the session as two requests read it before either answers
    scan(cashier, "RICE")
    cashier.post(reverse("checkout:till_member"), {"q": vip.code}, **HX)
    kept = dict(basket(cashier))
    first = post_sale(cashier)
    session = cashier.session
    session[SESSION_KEY] = kept  # the second request still sees the bill unposted
    session.save()
    second = cashier.post(reverse("checkout:till_commit"), {"token": kept["token"]})
    assert first["Location"] == second["Location"]
    assert Sale.objects.count() == 1


def test_a_stale_form_does_not_post(cashier):
    scan(cashier, "RICE")
    answer = cashier.post(reverse("checkout:till_commit"), {"token": "not-this-one"})
    assert answer.status_code == 302 and answer["Location"] == reverse("checkout:till")
    assert not Sale.objects.exists()


def test_an_empty_bill_does_not_post(cashier):
    cashier.get(reverse("checkout:till"))
    answer = post_sale(cashier)
    assert answer.status_code == 302 and not Sale.objects.exists()


def test_without_htmx_each_form_posts_and_redirects(cashier):
    answer = cashier.post(reverse("checkout:till_scan"), {"code": "RICE"})
    assert answer.status_code == 302 and answer["Location"] == reverse("checkout:till")
    page = cashier.get(reverse("checkout:till"))
    assert page.status_code == 200 and "ข้าวหอมมะลิ" in page.content.decode()


def test_the_terminal_is_chosen_once_per_browser_from_the_staff_branches(staff_client, shop, branch, org):
    # given a manager of B1 with two terminals there, and a terminal at another branch
    TerminalFactory(organization=org, branch=branch, code="B1-T2")
    far = TerminalFactory(organization=org, branch=BranchFactory(organization=org, code="B9"), code="B9-T1")
    manager = staff_client(Role.BRANCH_MANAGER)
    # when she opens the till, she is asked which terminal this browser is
    first = manager.get(reverse("checkout:till"))
    assert first.status_code == 302 and first["Location"] == reverse("checkout:till_terminal")
    choices = manager.get(reverse("checkout:till_terminal")).context["form"].fields["terminal"].queryset
    assert sorted(t.code for t in choices) == ["B1-T1", "B1-T2"]
    # another branch's terminal is refused
    refused = manager.post(reverse("checkout:till_terminal"), {"terminal": far.pk})
    assert refused.status_code == 200 and TERMINAL_COOKIE not in refused.cookies
    chosen = manager.post(reverse("checkout:till_terminal"), {"terminal": choices.get(code="B1-T2").pk})
    assert chosen.status_code == 302 and TERMINAL_COOKIE in chosen.cookies
    # then the till opens at that terminal, on this and later visits
    page = manager.get(reverse("checkout:till"))
    assert page.status_code == 200 and page.context["place"].terminal.code == "B1-T2"


@pytest.mark.parametrize("role", list(Role))
def test_the_till_is_for_roles_that_may_earn(staff_client, shop, role):
    client = staff_client(role)
    allowed = role in {Role.OWNER, Role.ADMIN, Role.BRANCH_MANAGER, Role.CASHIER, Role.SERVICE_COUNTER}
    page = client.get(reverse("checkout:till"))
    scanned = client.post(reverse("checkout:till_scan"), {"code": "RICE"}, **HX)
    posted = client.post(reverse("checkout:till_commit"), {"token": "x"})
    if allowed:
        assert page.status_code in (200, 302) and scanned.status_code in (200, 302)
    else:
        assert (page.status_code, scanned.status_code, posted.status_code) == (403, 403, 403)
    assert not Sale.objects.exists()


def test_the_receipt_of_another_branch_is_refused(cashier, org, actor):
    far = BranchFactory(organization=org, code="B9")
    till = TerminalFactory(organization=org, branch=far, code="B9-T1")
    sale = sale_post(organization=org, branch=far, terminal=till, receipt_id="F1", actor=actor,
                     basket=ledger_basket("500", when=timezone.now()), member=None).sale
    assert cashier.get(reverse("checkout:till_receipt", args=[sale.pk])).status_code == 403


def test_a_receipt_number_taken_by_another_sender_is_replaced(cashier, org, branch, terminal, actor):
    # given a POS that posted "B1-T1-000001" itself, through the API
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="B1-T1-000001", actor=actor,
              basket=ledger_basket("500", when=timezone.now()), member=None)
    scan(cashier, "RICE")
    # when the till posts its bill under the same number, it is refused and nothing is stored
    refused = post_sale(cashier)
    assert refused["Location"] == reverse("checkout:till") and Sale.objects.count() == 1
    # then the next post takes the terminal's next number
    cashier.get(reverse("checkout:till"))
    done = post_sale(cashier)
    assert done.status_code == 302 and Sale.objects.filter(receipt_id="B1-T1-000002").exists()


def test_an_integration_terminal_is_not_a_till(staff_client, shop, org, branch):
    TerminalFactory(organization=org, branch=branch, code="B1-ERP", kind="integration")
    page = staff_client(Role.CASHIER).get(reverse("checkout:till"))
    assert page.status_code == 200 and page.context["place"].terminal.code == "B1-T1"


def test_a_post_form_printed_before_the_last_change_does_not_post(cashier):
    # given the screen showing one rice, and a scan of chips in flight when the cashier posts
    scan(cashier, "RICE")
    shown = basket(cashier)["token"]
    scan(cashier, "CHIPS")
    assert basket(cashier)["token"] != shown
    # then the old form is refused: the bill is shown again with both lines
    answer = cashier.post(reverse("checkout:till_commit"), {"token": shown})
    assert answer["Location"] == reverse("checkout:till") and not Sale.objects.exists()
    # and a refused change keeps the token
    current = basket(cashier)["token"]
    scan(cashier, "NOPE")
    assert basket(cashier)["token"] == current


def test_a_declined_bag_is_ticked_at_the_till_and_the_campaign_comes_off_the_bill(cashier, vip, org):
    from sasom.earning.services import campaign_create  # noqa: PLC0415  # this test alone runs a campaign

    # given a bag campaign: 5 points and 10.00 off for members who decline a bag
    page = cashier.get(reverse("checkout:till"))
    campaign_create(organization_id=org.pk, actor=SYSTEM, code="NOBAG", name="ไม่รับถุง", bag_points=5,
                    extra_discount="10.00")
    scan(cashier, "8850002")
    cashier.post(reverse("checkout:till_member"), {"q": vip.code}, **HX)
    # when the cashier ticks "declined a bag"
    panel = cashier.post(reverse("checkout:till_bag"), {"declined": "on"}, **HX)
    # then the quote takes the discount off and the points grow; the posted sale keeps both
    assert basket(cashier)["bag_declined"] is True
    quote = panel.context["quote"]
    assert (quote.campaign_discount, quote.net, quote.points_earned) == (Decimal("10.00"), Decimal("71.00"), 5)
    assert 'id="campaign-discount"' in panel.content.decode()
    post_sale(cashier)
    sale = Sale.objects.get()
    assert sale.points_earned == 5 and sale.explanation["extra_discount"] == "10.00"
    assert "declined a plastic bag" not in page.content.decode()  # no campaign, no question


def test_unticking_the_bag_takes_the_campaign_off(cashier, vip, org):
    from sasom.earning.services import campaign_create  # noqa: PLC0415

    campaign_create(organization_id=org.pk, actor=SYSTEM, code="NOBAG", name="ไม่รับถุง", bag_points=5)
    scan(cashier, "8850002")
    cashier.post(reverse("checkout:till_member"), {"q": vip.code}, **HX)
    cashier.post(reverse("checkout:till_bag"), {"declined": "on"}, **HX)
    panel = cashier.post(reverse("checkout:till_bag"), {}, **HX)
    assert basket(cashier)["bag_declined"] is False and panel.context["quote"].points_earned == 0
