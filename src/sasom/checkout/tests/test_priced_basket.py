"""The priced basket at the till, worked examples (docs/points.md "Prices at the till").

The shop: 100 THB = 1 pt, bills >= 2,000 +10 (the ledger's conftest). Its catalog: rice 100.00
(food), chips 20.00 (snacks, below food; barcode 8850001), beer 60.00 (alcohol, no member discount),
a gift card 500.00 (earns no points). The VIP type: 10 % member discount, 5 % more in the birth
month, benefits stop when the card expires, its table sells rice at 90.00 (85.00 at branch B1).
The general table sells chips at 18.00 at branch B2. Sasom's prices win.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasom.catalog import price_tables
from sasom.catalog.models import Barcode, Category, Product
from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Sale
from sasom.ledger.services.points import account_for, points_adjust
from sasom.rewards.models import PointsDiscountRule
from sasom.testing.factories import MemberFactory, MemberTypeFactory, TerminalFactory

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


def _key(org, terminal=None, *, can_manage=False) -> Client:
    issued = api_key_create(organization_id=org.id, label="key", actor=SYSTEM, terminal=terminal,
                            can_manage=can_manage)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.fixture
def pos(org, terminal) -> Client:
    return _key(org, terminal)


@pytest.fixture
def pos_b2(org, branch2) -> Client:
    return _key(org, TerminalFactory(organization=org, branch=branch2, code="B2-T1"))


@pytest.fixture
def vip_type(org):
    return MemberTypeFactory(organization=org, code="VIP", discount_percent=Decimal("10"),
                             birthday_discount_percent=Decimal("5"), birthday_scope="month",
                             benefits_stop_on_expiry=True)


@pytest.fixture
def vip(org, vip_type):
    return MemberFactory(organization=org, member_type=vip_type, code="V0000001", phone="+66810000001",
                         birth_on=dt.date(1990, 3, 15))


@pytest.fixture
def shop(org, branch, branch2, vip_type):
    food = Category.objects.create(organization=org, code="FOOD", name_th="อาหาร")
    snack = Category.objects.create(organization=org, code="SNACK", name_th="ขนม", parent=food)
    alcohol = Category.objects.create(organization=org, code="ALCOHOL", name_th="เครื่องดื่มแอลกอฮอล์")
    make = Product.objects.create
    make(organization=org, sku="RICE", name_th="ข้าวหอมมะลิ", category=food, base_price=Decimal("100.00"))
    chips = make(organization=org, sku="CHIPS", name_th="มันฝรั่งทอด", category=snack, base_price=Decimal("20.00"))
    Barcode.objects.create(organization=org, product=chips, code="8850001")
    make(organization=org, sku="BEER", name_th="เบียร์", category=alcohol, base_price=Decimal("60.00"))
    make(organization=org, sku="GIFT", name_th="บัตรของขวัญ", base_price=Decimal("500.00"), excluded_from_points=True)
    vip_table = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="VIP", name="VIP",
                                                member_types=["VIP"])
    price_tables.price_set(table=vip_table, actor=SYSTEM, product_code="RICE", price="90.00")
    price_tables.price_set(table=vip_table, actor=SYSTEM, product_code="RICE", price="85.00", branch="B1")
    general = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="STD", name="Standard")
    price_tables.price_set(table=general, actor=SYSTEM, product_code="CHIPS", price="18.00", branch="B2")
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={
        "authority": "sasom", "open_lines": False, "general_table": "STD",
        "member_discount_excluded_categories": ["ALCOHOL"],
    })
    return org


def body(*lines, receipt="R-1", phone="+66810000001", when="2026-11-24T12:30:00+07:00", **extra):
    out = {"receipt_id": receipt, "occurred_at": when, "member": {"phone": phone} if phone else None,
           "lines": [dict(zip(("sku", "quantity"), ln[:2], strict=True), **({"unit_price": ln[2]} if len(ln) > 2 else {}))
                     for ln in lines]}
    out.update(extra)
    return out


def post(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


def lines_of(answer):
    return [(ln["sku"], ln["list_price"], ln["unit_price"], ln["price_source"], ln["member_discount"], ln["net"])
            for ln in answer["lines"]]


def test_a_vip_pays_the_vip_table_price_at_the_branch_and_everywhere_else(shop, vip, pos, pos_b2):
    # given a VIP buying 2 bags of rice without sending a price
    # when the sale is quoted at B1 and committed at B2
    at_b1 = post(pos, "/api/v1/sales/quote", body(("RICE", "2")))
    at_b2 = post(pos_b2, "/api/v1/sales", body(("RICE", "2")))
    # then B1's own VIP price (85) and the VIP price for every branch (90), each less 10 %
    assert at_b1.status_code == 200, at_b1.content
    assert lines_of(at_b1.json()) == [("RICE", "100.00", "85.00", "table:VIP@B1", "17.00", "153.00")]
    assert at_b2.status_code == 201, at_b2.content
    assert lines_of(at_b2.json()) == [("RICE", "100.00", "90.00", "table:VIP", "18.00", "162.00")]
    sale = Sale.objects.get(receipt_id="R-1")
    line = sale.lines.get()
    assert (line.list_price, line.unit_price, line.price_source, line.member_discount, line.net) == (
        Decimal("100.00"), Decimal("90.00"), "table:VIP", Decimal("18.00"), Decimal("162.00"))
    assert (sale.gross, sale.member_discount, sale.net, sale.points_earned) == (
        Decimal("180.00"), Decimal("18.00"), Decimal("162.00"), 1)
    assert "Member discount: 18.00" in at_b2.json()["receipt_text"]


def test_the_member_discount_covers_eligible_lines_only(shop, vip, pos):
    # given a VIP buying rice and beer (alcohol takes no member discount)
    answer = post(pos, "/api/v1/sales", body(("RICE", "1"), ("BEER", "2")))
    # then 10 % off the rice only, and the beer line says why it has none
    assert answer.status_code == 201, answer.content
    out = answer.json()
    assert lines_of(out) == [("RICE", "100.00", "85.00", "table:VIP@B1", "8.50", "76.50"),
                             ("BEER", "60.00", "60.00", "base", "0.00", "120.00")]
    beer_steps = out["lines"][1]["steps"]
    assert [s["kind"] for s in beer_steps] == ["no_member_discount"]
    assert "ALCOHOL" in beer_steps[0]["reason"]
    assert out["member_discount"] == "8.50"
    assert out["net"] == "196.50"
    assert out["points_earned"] == 1  # 196.50 / 100, floored


def test_the_birthday_month_adds_its_discount(shop, vip, pos):
    # given a VIP born in November
    vip.birth_on = dt.date(1990, 11, 2)
    vip.save()
    # when buying rice in November, and in October
    nov = post(pos, "/api/v1/sales/quote", body(("RICE", "1")))
    october = post(pos, "/api/v1/sales/quote", body(("RICE", "1"), when="2026-10-30T10:00:00+07:00"))
    # then November adds 5 % of 85.00 (4.25) to the 10 % (8.50); October does not
    steps = [(s["kind"], s["amount"]) for s in nov.json()["lines"][0]["steps"]]
    assert ("member_discount", "8.50") in steps and ("birthday_discount", "4.25") in steps
    assert nov.json()["lines"][0]["member_discount"] == "12.75"
    assert october.json()["lines"][0]["member_discount"] == "8.50"


def test_an_expired_card_stops_the_member_price_and_discounts(shop, vip, pos):
    # given a VIP whose card expired (the type says benefits stop)
    vip.expires_on = dt.date(2026, 6, 30)
    vip.save()
    # when buying rice
    out = post(pos, "/api/v1/sales", body(("RICE", "1"))).json()
    # then the list price, no discount, and the bill says why
    assert lines_of(out) == [("RICE", "100.00", "100.00", "base", "0.00", "100.00")]
    sale = Sale.objects.get(receipt_id="R-1")
    notes = [row for row in sale.explanation["pricing"] if row[0] == 0]
    assert notes and notes[0][1] == "no_member_discount" and "expired" in notes[0][3]


def test_a_branch_price_of_the_general_table_applies_to_everyone_at_that_branch(shop, pos, pos_b2):
    # given a walk-in customer scanning the chips' barcode at B2, then at B1
    b2 = post(pos_b2, "/api/v1/sales", body(("8850001", "3"), phone=None)).json()
    b1 = post(pos, "/api/v1/sales", body(("CHIPS", "3"), phone=None, receipt="R-2")).json()
    # then B2's price (18.00, the line stored under its SKU) and the base price at B1
    assert lines_of(b2) == [("CHIPS", "18.00", "18.00", "table:STD@B2", "0.00", "54.00")]
    assert lines_of(b1) == [("CHIPS", "20.00", "20.00", "base", "0.00", "60.00")]


def test_a_product_excluded_from_points_earns_nothing(shop, vip, pos):
    # given a VIP buying a 500.00 gift card and rice
    out = post(pos, "/api/v1/sales", body(("GIFT", "1"), ("RICE", "2"))).json()
    # then only the rice counts for points: 2 x 85 less 10 % = 153.00 -> 1 pt
    assert out["eligible_net"] == "153.00"
    assert out["points_earned"] == 1
    assert [ln["earns_points"] for ln in out["lines"]] == [False, True]


def test_an_unknown_product_is_refused_naming_the_line_and_nothing_is_stored(shop, vip, pos):
    answer = post(pos, "/api/v1/sales", body(("RICE", "1"), ("NOPE", "1", "10.00")))
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("unknown_product", "lines.1.sku")
    assert not Sale.objects.exists()


def test_an_open_line_needs_a_price_and_is_flagged(shop, vip, pos, org):
    # given a shop that accepts products not in its catalog
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={"open_lines": True})
    # when a line of an unknown SKU comes without a price, then with one
    refused = post(pos, "/api/v1/sales", body(("NOPE", "1")))
    taken = post(pos, "/api/v1/sales", body(("NOPE", "1", "10.00")))
    # then the first is refused naming its price, the second sold at the POS's price, flagged
    assert (refused.json()["code"], refused.json()["field"]) == ("price_required", "lines.0.unit_price")
    assert taken.status_code == 201, taken.content
    line = taken.json()["lines"][0]
    assert (line["price_source"], line["price_flag"], line["unit_price"]) == ("open", "open", "10.00")
    assert Sale.objects.get().price_flagged


def test_whose_price_wins_is_the_organizations_choice_and_a_differing_price_is_flagged(shop, vip, pos, org):
    # given the POS sends rice at 95.00 (the VIP table says 85.00 at B1)
    sasom = post(pos, "/api/v1/sales", body(("RICE", "1", "95.00"), receipt="R-1")).json()
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={"authority": "pos"})
    pos_wins = post(pos, "/api/v1/sales", body(("RICE", "1", "95.00"), receipt="R-2")).json()
    # then Sasom's price (and its member discount) or the POS's as sent; both flagged
    assert [(ln["unit_price"], ln["price_source"], ln["price_flag"], ln["member_discount"])
            for ln in (sasom["lines"][0], pos_wins["lines"][0])] == [
        ("85.00", "table:VIP@B1", "differs", "8.50"), ("95.00", "pos", "differs", "0.00")]
    assert sasom["price_flagged"] and pos_wins["price_flagged"]


def test_a_replay_after_a_price_change_answers_the_stored_sale(shop, vip, pos, org):
    # given a sale posted, then the VIP price of rice changed
    first = post(pos, "/api/v1/sales", body(("RICE", "1")))
    table = price_tables.price_table_get(org.pk, "VIP")
    row = table.prices.get(branch__code="B1")
    price_tables.price_set(table=table, actor=SYSTEM, product_code="RICE", price="80.00", branch="B1",
                           replace=row.pk)
    # when the POS replays the same body
    again = post(pos, "/api/v1/sales", body(("RICE", "1")))
    # then the stored sale comes back, at the price it was sold at
    assert first.status_code == 201 and again.status_code == 200, again.content
    assert again.json()["replayed"] and again.json()["lines"][0]["unit_price"] == "85.00"
    assert Sale.objects.count() == 1


def test_the_quote_applies_coupons_and_points_and_shows_the_balance_after(shop, vip, pos, org):
    # given a VIP with 500 points and the rule 10 points = 1 THB
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    points_adjust(account=account_for(vip), points=500, reason="opening", actor=SYSTEM)
    basket = body(("RICE", "10"), redeem_points=200)
    # when quoted, then committed
    quote = post(pos, "/api/v1/sales/quote", basket).json()
    sale = post(pos, "/api/v1/sales", basket).json()
    # then 10 x 85 = 850 less 85 (10 %) = 765, less 20.00 of points = 745 -> 7 pts; the quote
    # says so, and the balance after is the commit's
    assert (quote["gross"], quote["member_discount"], quote["points_paid"], quote["net"]) == (
        "850.00", "85.00", "20.00", "745.00")
    assert quote["points_earned"] == sale["points_earned"] == 7
    assert quote["balance_after"] == sale["balance"]
    assert quote["lines"] == sale["lines"]


def test_a_pos_key_reads_member_types_products_and_prices(shop, pos):
    assert pos.get("/api/v1/member-types").status_code == 200
    assert pos.get("/api/v1/products/RICE").status_code == 200
    prices = pos.get("/api/v1/price-tables/VIP/prices").json()
    assert sorted((p["branch"] or "*", p["price"]) for p in prices["items"]) == [("*", "90.00"), ("B1", "85.00")]
    assert pos.get("/api/v1/pricing-settings").json()["authority"] == "sasom"


def test_overlapping_periods_of_one_table_are_refused(shop, org):
    table = price_tables.price_table_get(org.pk, "STD")
    manager = _key(org, can_manage=True)
    # given chips at 17.00 through December at B1
    ok = post(manager, "/api/v1/price-tables/STD/prices",
              {"sku": "CHIPS", "price": "17.00", "branch": "B1", "valid_from": "2026-12-01", "valid_to": "2026-12-31"})
    # when another B1 price covers 31 December, and one starts on 1 January
    clash = post(manager, "/api/v1/price-tables/STD/prices",
                 {"sku": "CHIPS", "price": "16.00", "branch": "B1", "valid_from": "2026-12-31"})
    after = post(manager, "/api/v1/price-tables/STD/prices",
                 {"sku": "CHIPS", "price": "16.00", "branch": "B1", "valid_from": "2027-01-01"})
    # then the clash is refused naming the period; the next period is taken
    assert ok.status_code == 201, ok.content
    assert clash.status_code == 409 and clash.json()["code"] == "price_period_overlap"
    assert after.status_code == 201
    assert table.prices.filter(branch__code="B1").count() == 2


# --- quote == commit ------------------------------------------------------------------------------

SKUS = ["RICE", "CHIPS", "8850001", "BEER", "GIFT"]
_line = st.tuples(st.sampled_from(SKUS), st.integers(1, 30),
                  st.one_of(st.none(), st.sampled_from(["19.00", "20.00", "85.00", "99.50"])),
                  st.sampled_from(["0", "0", "1.00", "5.00"]))
_basket = st.fixed_dictionaries({
    "lines": st.lists(_line, min_size=1, max_size=6),
    "who": st.sampled_from(["vip", "vip_expired", "walk_in"]),
    "authority": st.sampled_from(["sasom", "pos"]),
    "skip_discounted": st.booleans(),
    "min_bill": st.sampled_from(["0", "150.00"]),
    "bill_discount": st.sampled_from(["0", "3.00"]),
    "redeem_points": st.sampled_from([0, 0, 50]),
    "day": st.sampled_from(["2026-11-24", "2026-03-02"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_basket)
def test_the_quote_is_what_the_commit_posts(shop, vip, pos, org, case):
    """For any basket, the quote's lines, totals, points and balance after are what the commit of
    the same body posts (DOMAIN.md 9)."""
    # given the shop's pricing settings and the member as the case says
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={
        "authority": case["authority"], "member_discount_skips_discounted_lines": case["skip_discounted"],
        "member_discount_min_bill": case["min_bill"]})
    PointsDiscountRule.objects.get_or_create(organization=org, defaults={"points_per_unit": 10})
    vip.expires_on = dt.date(2026, 1, 31) if case["who"] == "vip_expired" else None
    vip.save()
    if not account_for(vip).spendable:
        points_adjust(account=account_for(vip), points=1000, reason="opening", actor=SYSTEM)
    member = case["who"] != "walk_in"
    lines = [{"sku": sku, "quantity": str(qty), "discount": disc, **({"unit_price": price} if price else {})}
             for sku, qty, price, disc in case["lines"]]
    data = {"receipt_id": f"P-{Sale.objects.count() + 1}", "occurred_at": f"{case['day']}T10:00:00+07:00",
            "member": {"phone": "+66810000001"} if member else None, "lines": lines,
            "bill_discount": case["bill_discount"], "redeem_points": case["redeem_points"] if member else 0}
    # when quoted, then committed
    quote = post(pos, "/api/v1/sales/quote", data)
    sale = post(pos, "/api/v1/sales", data)
    # then both refuse alike, or the commit posts exactly what the quote said
    if quote.status_code != 200:
        assert (sale.status_code, sale.json()["code"]) == (quote.status_code, quote.json()["code"])
        return
    assert sale.status_code == 201, sale.content
    q, s = quote.json(), sale.json()
    assert q["lines"] == s["lines"]
    assert (q["net"], q["member_discount"], q["eligible_net"], q["points_earned"], q["price_flagged"]) == (
        s["net"], s["member_discount"], s["eligible_net"], s["points_earned"], s["price_flagged"])
    assert q["balance_after"] == s["balance"]
    stored = Sale.objects.get(receipt_id=data["receipt_id"])
    assert (str(stored.net), stored.points_earned) == (s["net"], s["points_earned"])


def test_pricing_a_basket_costs_one_query_when_warm(shop, vip, branch, django_assert_num_queries):
    """The products by SKU with their table prices in one query; the settings and member tables are cached."""
    from sasom.catalog.pricing import LineIn  # noqa: PLC0415  # this test alone calls the service directly
    from sasom.checkout.pricing import basket_priced  # noqa: PLC0415
    from sasom.earning import engine  # noqa: PLC0415

    basket = engine.Basket(occurred_at=dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC), lines=())
    sent = tuple(LineIn(line_no=i, code=c, quantity=Decimal(1), unit_price=None)
                 for i, c in enumerate(["RICE", "CHIPS", "BEER"], start=1))
    basket_priced(organization=shop, branch=branch, basket=basket, member=vip, sent=sent)  # warms the cache
    with django_assert_num_queries(1):
        priced = basket_priced(organization=shop, branch=branch, basket=basket, member=vip, sent=sent)
    assert [ln.unit_price for ln in priced.basket.lines] == [Decimal("85.00"), Decimal("20.00"), Decimal("60.00")]


def test_one_statement_matches_skus_before_barcodes_and_only_sellable_products(shop, other_org, branch, vip,
                                                                               django_assert_num_queries):
    """A SKU wins over another product's barcode; a barcode names its product; inactive products,
    products outside their dates and another organization's products are not found."""
    from sasom.catalog import prices  # noqa: PLC0415  # this test alone reads the basket query directly

    # given: a product whose barcode is the SKU "RICE", one retired, one not yet on sale, another shop's
    shop_products = Product.objects.filter(organization=shop)
    decoy = Product.objects.create(organization=shop, sku="DECOY", name_th="ล่อ", base_price=Decimal("1.00"))
    Barcode.objects.create(organization=shop, product=decoy, code="RICE")
    old = Product.objects.create(organization=shop, sku="OLD", name_th="เลิกขาย", base_price=Decimal("5.00"),
                                 is_active=False)
    Barcode.objects.create(organization=shop, product=old, code="8850009")
    Product.objects.create(organization=shop, sku="SOON", name_th="เร็วๆนี้", base_price=Decimal("5.00"),
                           active_from=dt.date(2027, 1, 1))
    Product.objects.create(organization=other_org, sku="THEIRS", name_th="ของร้านอื่น", base_price=Decimal("7.00"))
    settings_ = prices.pricing_settings(shop.pk)
    # when
    with django_assert_num_queries(1):
        found = prices.basket_products(shop.pk, ["RICE", "8850001", "OLD", "8850009", "SOON", "THEIRS", ""],
                                       branch_id=branch.pk, branch_code="B1", on=dt.date(2026, 11, 24),
                                       settings=settings_, member_table=settings_.member_tables.get(vip.member_type_id))
    # then
    assert sorted(found) == ["8850001", "RICE"]
    assert found["RICE"].sku == "RICE" and found["RICE"].member_price == Decimal("85.00")
    assert found["RICE"].member_source == "table:VIP@B1" and found["RICE"].categories == frozenset({"FOOD"})
    assert found["8850001"].sku == "CHIPS" and found["8850001"].categories == frozenset({"SNACK", "FOOD"})
    assert shop_products.count() == 7


@pytest.mark.parametrize("mode, expected", [("stack", "12.75"), ("replace", "4.25")])
def test_a_tier_discount_stacks_on_or_replaces_the_type_discount(shop, vip, pos, org, mode, expected):
    from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

    # given a ladder whose Gold tier gives 5 % (and 3 % more on the birthday), and a VIP set to Gold
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers", benefits_mode=mode, tiers=[
        TierIn("SILVER", "Silver", 500), TierIn("GOLD", "Gold", 1000, discount_percent=Decimal("5"),
                                                birthday_discount_percent=Decimal("3"))])
    member_tier_set(organization_id=org.pk, member=vip, tier_code="GOLD", until=None, note="test", actor=SYSTEM)
    # when the VIP (10 %) buys rice at 85.00 outside the birthday month
    answer = post(pos, "/api/v1/sales/quote", body(("RICE", "1")))
    # then 10 % + 5 % (stack) or the tier's 5 % alone (replace)
    assert answer.status_code == 200, answer.content
    assert answer.json()["lines"][0]["member_discount"] == expected
    # and in the birthday month the tier's birthday % joins the type's 5 %
    vip.birth_on = dt.date(1990, 11, 2)
    vip.save()
    nov = post(pos, "/api/v1/sales/quote", body(("RICE", "1"))).json()["lines"][0]["member_discount"]
    assert nov == {"stack": "19.55", "replace": "6.80"}[mode]  # 85 x (15 % + 8 %) / 85 x (5 % + 3 %)
