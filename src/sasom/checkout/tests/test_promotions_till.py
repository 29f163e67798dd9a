"""POS promotions at the till (issue 14; docs/promotions.md "At the till"): the quote answers
them, the commit applies and counts them, the receipt prints them, returns and voids give them
back. The shop is test_priced_basket's (Sasom's prices win; VIP 10 % off); see promo_shop."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.models import Sale
from sasom.promotions.models import Promotion, PromotionUse

D = Decimal


def walk_in(*lines, **extra):
    return body(*lines, phone=None, **extra)


def test_the_quote_answers_the_promotion_and_the_member_discount_is_taken_after_it(b2g1, vip, pos):
    # given a VIP buying 3 bags of chips (20.00) under "buy 2 get 1"
    answer = post(pos, "/api/v1/sales/quote", body(("CHIPS", "3")))
    # then one bag is free (20.00) and the 10 % member discount is taken on the 40.00 left
    assert answer.status_code == 200, answer.content
    out = answer.json()
    (line,) = out["lines"]
    assert (line["promotion_discount"], line["member_discount"], line["net"], line["promotions"]) == (
        "20.00", "4.00", "36.00", ["B2G1"])
    assert [s["kind"] for s in line["steps"]] == ["promotion:B2G1", "member_discount"]
    assert out["promotions"] == [{"code": "B2G1", "name": "ซื้อ 2 แถม 1", "kind": "qty_free", "times": 1,
                                  "discount": "20.00", "message": "", "explanation": out["promotions"][0]["explanation"]}]
    assert (out["promotion_discount"], out["net"]) == ("20.00", "36.00")


def test_two_bags_get_a_hint_to_add_one_more(b2g1, vip, pos):
    out = post(pos, "/api/v1/sales/quote", body(("CHIPS", "2"))).json()
    assert out["promotions"] == []
    assert [(h["promotion"], h["missing_units"]) for h in out["hints"]] == [("B2G1", "1")]


def test_the_commit_stores_the_promotion_on_the_line_and_counts_its_use(b2g1, vip, pos):
    # given the quote of 3 bags
    quoted = post(pos, "/api/v1/sales/quote", body(("CHIPS", "3"))).json()
    # when the same body is committed
    answer = post(pos, "/api/v1/sales", body(("CHIPS", "3")))
    # then the sale is what the quote said, the line stores the promotion, its use is counted
    assert answer.status_code == 201, answer.content
    sale = Sale.objects.get(receipt_id="R-1")
    line = sale.lines.get()
    assert (line.promotion_discount, line.promotions, line.member_discount, line.net) == (
        D("20.00"), "B2G1", D("4.00"), D("36.00"))
    assert str(sale.net) == quoted["net"] == answer.json()["net"]
    use = PromotionUse.objects.get(sale=sale)
    assert (use.promotion_id, use.member_id, use.times, use.discount, use.units, use.reversed) == (
        b2g1.pk, vip.pk, 1, D("20.00"), D("3.000"), False)
    b2g1.refresh_from_db()
    assert b2g1.uses == 1
    assert "ซื้อ 2 แถม 1 -20.00" in answer.json()["receipt_text"]


def test_a_replayed_commit_counts_the_use_once(b2g1, pos):
    first = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3")))
    again = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3")))
    assert (first.status_code, again.status_code) == (201, 200)
    assert PromotionUse.objects.count() == 1
    assert Promotion.objects.get(pk=b2g1.pk).uses == 1


def test_the_last_unit_of_a_budget_goes_to_one_sale_the_next_is_priced_without_it(shop, pos):
    # given a promotion with a budget of one bill
    row = promotion(shop, "ONCE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=1)
    # when two sales of 3 bags are committed one after the other
    first = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-1")).json()
    quote = post(pos, "/api/v1/sales/quote", walk_in(("CHIPS", "3"))).json()
    second = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-2")).json()
    # then the first got it, the quote and the second did not
    assert (first["net"], quote["net"], second["net"]) == ("40.00", "60.00", "60.00")
    row.refresh_from_db()
    assert row.uses == 1


def test_a_per_member_limit_counts_this_members_bills(shop, vip, pos):
    promotion(shop, "ONEEACH", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], per_member_limit=1)
    first = post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-1")).json()
    second = post(pos, "/api/v1/sales", body(("CHIPS", "3"), receipt="R-2")).json()
    other = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-3")).json()
    assert (first["lines"][0]["promotion_discount"], second["lines"][0]["promotion_discount"],
            other["lines"][0]["promotion_discount"]) == ("20.00", "0.00", "20.00")


def test_a_void_reverses_the_use_and_gives_the_budget_back(shop, pos):
    row = promotion(shop, "ONCE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=1)
    post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-1"))
    voided = post(pos, "/api/v1/sales/R-1/void", {"reason": "wrong basket"})
    assert voided.status_code == 200, voided.content
    row.refresh_from_db()
    assert row.uses == 0
    assert PromotionUse.objects.get().reversed is True
    again = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-2")).json()
    assert again["net"] == "40.00"  # the budget is there again


def test_returning_a_bag_that_unlocked_the_free_one_refunds_nothing(b2g1, pos):
    # given 3 bags for 40.00 (the third free)
    post(pos, "/api/v1/sales", walk_in(("CHIPS", "3")))
    # when one bag comes back: 2 bags cost 40.00 without the promotion, as much as was paid
    first = post(pos, "/api/v1/sales/R-1/returns", {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "1"}]})
    # and then another: 1 bag costs 20.00
    second = post(pos, "/api/v1/sales/R-1/returns", {"return_id": "RT-2", "lines": [{"line_no": 1, "quantity": "1"}]})
    third = post(pos, "/api/v1/sales/R-1/returns", {"return_id": "RT-3", "lines": [{"line_no": 1, "quantity": "1"}]})
    # then 0.00, 20.00 and 20.00 come back: 40.00 in all, what was paid
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert [r.json()["returned_net"] for r in (first, second, third)] == ["0.00", "20.00", "20.00"]
    assert PromotionUse.objects.get().reversed is True  # all returned: the use is given back
    assert Promotion.objects.get(pk=b2g1.pk).uses == 0


def test_a_gift_is_a_line_at_list_price_with_the_discount_that_makes_it_free(shop, pos):
    # given "a beer gives a bag of chips free"
    promotion(shop, "BEERGIFT", "test_gift", {"gift": "CHIPS"}, ["BEER"], name="เบียร์แถมขนม",
              message="ขอบคุณที่อุดหนุน")
    # when a walk-in buys a beer
    answer = post(pos, "/api/v1/sales", walk_in(("BEER", "1")))
    # then the chips are a second line at 20.00 with 20.00 off, earning nothing, and the bill says why
    assert answer.status_code == 201, answer.content
    out = answer.json()
    gift = out["lines"][1]
    assert (gift["sku"], gift["unit_price"], gift["promotion_discount"], gift["net"], gift["gift"],
            gift["earns_points"]) == ("CHIPS", "20.00", "20.00", "0.00", True, False)
    assert out["net"] == "60.00"
    stored = Sale.objects.get().lines.get(line_no=2)
    assert (stored.price_source, stored.list_price, stored.promotion_discount, stored.promotions) == (
        "promotion", D("20.00"), D("20.00"), "BEERGIFT")
    assert "ขอบคุณที่อุดหนุน" in out["receipt_text"]
    assert "CHIPS" in out["receipt_text"]


def test_returning_the_item_that_unlocked_a_gift_takes_the_gifts_value_back(shop, pos):
    promotion(shop, "BEERGIFT", "test_gift", {"gift": "CHIPS"}, ["BEER"])
    post(pos, "/api/v1/sales", walk_in(("BEER", "1")))
    # when the beer comes back but not the chips: the chips now cost 20.00
    back = post(pos, "/api/v1/sales/R-1/returns", {"return_id": "RT-1", "lines": [{"line_no": 1, "quantity": "1"}]})
    assert back.json()["returned_net"] == "40.00"  # 60.00 paid, 20.00 kept


def test_a_choice_is_quoted_then_taken_on_commit(shop, pos):
    # given "a beer: rice or chips for 1.00"
    promotion(shop, "PICK", "test_gift", {"options": ["RICE", "CHIPS"], "price": "1.00"}, ["BEER"])
    quoted = post(pos, "/api/v1/sales/quote", walk_in(("BEER", "1"))).json()
    assert quoted["choices"] == [{"promotion": "PICK", "options": ["RICE", "CHIPS"], "quantity": "1",
                                  "unit_price": "1.00"}]
    # when the cashier sends a SKU not offered, then the commit is refused naming the field
    bad = post(pos, "/api/v1/sales", walk_in(("BEER", "1"), choices={"PICK": "BEER"}))
    assert bad.status_code == 400, bad.content
    assert (bad.json()["code"], bad.json()["field"]) == ("promotion_choice_invalid", "choices.PICK")
    # when the rice is chosen: quote == commit, the rice a line at 100.00 with 99.00 off
    chosen = walk_in(("BEER", "1"), choices={"PICK": "RICE"})
    again = post(pos, "/api/v1/sales/quote", chosen).json()
    done = post(pos, "/api/v1/sales", chosen)
    assert done.status_code == 201, done.content
    rice = done.json()["lines"][1]
    assert (rice["sku"], rice["unit_price"], rice["promotion_discount"], rice["net"]) == (
        "RICE", "100.00", "99.00", "1.00")
    assert again["net"] == done.json()["net"] == "61.00"
    assert again["choices"] == []


def test_a_shop_without_promotions_prices_as_before(shop, vip, pos):
    out = post(pos, "/api/v1/sales", body(("CHIPS", "3"))).json()
    assert (out["lines"][0]["promotion_discount"], out["net"]) == ("0.00", "54.00")
    assert not PromotionUse.objects.exists()


def test_service_quote_equals_commit_for_a_member(b2g1, vip, shop, terminal):
    from sasom.checkout.tests.test_promotions_props import quote_and_commit

    quoted, sale = quote_and_commit(shop, terminal, vip, [("CHIPS", 7), ("RICE", 1)], "R-9")
    assert quoted == sale.net


@pytest.mark.parametrize("choices", [{"PICK": ""}])
def test_an_empty_choice_is_refused_by_the_schema(shop, pos, choices):
    answer = post(pos, "/api/v1/sales/quote", walk_in(("BEER", "1"), choices=choices))
    assert answer.status_code in (400, 422)



def test_the_same_receipt_with_another_choice_is_a_conflict(shop, pos):
    promotion(shop, "PICK", "test_gift", {"options": ["RICE", "CHIPS"], "price": "1.00"}, ["BEER"])
    first = post(pos, "/api/v1/sales", walk_in(("BEER", "1"), choices={"PICK": "RICE"}))
    again = post(pos, "/api/v1/sales", walk_in(("BEER", "1"), choices={"PICK": "RICE"}))
    other = post(pos, "/api/v1/sales", walk_in(("BEER", "1"), choices={"PICK": "CHIPS"}))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert PromotionUse.objects.count() == 1


def test_a_day_end_document_carries_what_the_pos_charged_no_promotion_runs(b2g1, shop, terminal):
    # the document-by-document batch path prices like the set-based one: no POS promotions
    from sasom.catalog.pricing import LineIn
    from sasom.checkout import services
    from sasom.checkout.tests.test_promotions_props import WHEN
    from sasom.core.audit import Actor
    from sasom.earning import engine

    sent = (LineIn(line_no=1, code="CHIPS", quantity=D("3"), unit_price=None),)
    basket = engine.Basket(occurred_at=WHEN, lines=(), branch_code=terminal.branch.code, terminal_code=terminal.code)
    till = services.sale_commit(organization=shop, branch=terminal.branch, terminal=terminal, receipt_id="R-T",
                                basket=basket, sent=sent, actor=Actor.system("test"))
    day_end = services.sale_commit(organization=shop, branch=terminal.branch, terminal=terminal, receipt_id="R-B",
                                   basket=basket, sent=sent, actor=Actor.system("test"), batch=True)
    assert (till.sale.net, day_end.sale.net) == (D("40.00"), D("60.00"))
    assert PromotionUse.objects.filter(sale_id=day_end.sale.pk).count() == 0
