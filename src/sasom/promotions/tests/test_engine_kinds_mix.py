"""Family 2, a fixed mix of items complete, with seed 001's examples."""

from __future__ import annotations

from sasom.promotions.engine.types import Gift
from sasom.promotions.tests.test_engine_util import D, bill, ctx, line, off, price, promo

MIX = [{"sku": "COKE", "quantity": 1}, {"sku": "SPRITE", "quantity": 1}]
PRICES = {"FANTA": D("15.00"), "FANTA-RED": D("15.00"), "FANTA-GREEN": D("15.00"), "FANTA-ORANGE": D("15.00"),
          "MIRINDA": D("14.00")}
CANS = [line(1, "COKE", 1, 15), line(2, "SPRITE", 1, 15)]


def test_2a_coke_and_sprite_give_a_free_fanta_added_at_its_list_price() -> None:
    p = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA"]})
    result = price([p], CANS, ctx(gift_prices=PRICES))
    assert [g for _, g in result.gifts] == [Gift("FANTA", D(1), D(0), D("15.00"))]
    assert result.discount == D("15.00")
    assert off(result) == {}  # the cans keep their price; both are consumed
    assert sorted(t.index for t in result.applied[0].takes) == [1, 2]


def test_2a_a_fanta_already_in_the_basket_is_the_free_one() -> None:
    p = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA"]})
    lines = [*CANS, line(3, "FANTA", 1, 15)]
    result = price([p], lines, ctx(gift_prices=PRICES))
    assert result.gifts == ()
    assert off(result) == {3: D("15.00")}
    assert bill(lines, result) == D("30.00")


def test_2a_a_gift_whose_price_is_unknown_is_skipped_and_said() -> None:
    p = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA"]})
    result = price([p], CANS)
    assert result.gifts == ()
    assert "price is not known" in result.applied[0].explanation


def test_2a_an_incomplete_mix_gives_nothing_and_a_hint() -> None:
    p = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA"]}, code="FANTA")
    result = price([p], [line(1, "COKE", 1, 15)], ctx(gift_prices=PRICES))
    assert result.applied == ()
    assert [(h.promotion, h.missing_units) for h in result.hints] == [("FANTA", 1)]


def test_2b_a_choice_of_gift_is_offered_then_taken_on_commit() -> None:
    p = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA-RED", "FANTA-GREEN"]}, code="CHOOSE")
    # quote: the choice, no gift
    quote = price([p], CANS, ctx(gift_prices=PRICES))
    assert quote.gifts == ()
    assert [(c.promotion, c.options, c.quantity, c.unit_price) for c in quote.choices] == [
        ("CHOOSE", ("FANTA-RED", "FANTA-GREEN"), D(1), D(0))]
    # commit: the chosen one
    commit = price([p], CANS, ctx(gift_prices=PRICES, choices={"CHOOSE": "FANTA-GREEN"}))
    assert commit.choices == ()
    assert [g.sku for _, g in commit.gifts] == ["FANTA-GREEN"]
    # a choice outside the options is no choice
    odd = price([p], CANS, ctx(gift_prices=PRICES, choices={"CHOOSE": "BEER"}))
    assert odd.gifts == () and len(odd.choices) == 1


def test_2c_purchase_with_purchase_a_fanta_at_1_baht() -> None:
    p = promo("mix_pwp", {"mix": MIX, "offers": ["FANTA-RED"], "offer_price": "1"})
    result = price([p], CANS, ctx(gift_prices=PRICES))
    assert [g for _, g in result.gifts] == [Gift("FANTA-RED", D(1), D("1.00"), D("15.00"))]
    assert result.discount == D("14.00")


def test_2d_a_choice_of_pwp_in_the_basket_is_discounted_there() -> None:
    p = promo("mix_pwp", {"mix": MIX, "offers": ["FANTA-ORANGE", "MIRINDA"], "offer_price": "1.00"}, code="PWP")
    lines = [*CANS, line(3, "MIRINDA", 1, 14)]
    assert len(price([p], lines, ctx(gift_prices=PRICES)).choices) == 1
    result = price([p], lines, ctx(gift_prices=PRICES, choices={"PWP": "MIRINDA"}))
    assert off(result) == {3: D("13.00")}
    assert bill(lines, result) == D("31.00")


def test_2e_shirt_300_to_200_and_trousers_500_to_400_together() -> None:
    p = promo("mix_set_price", {"mix": [{"sku": "SHIRT-A", "quantity": 1, "price": "200"},
                                        {"sku": "TROUSERS-B", "quantity": 1, "price": "400"}]})
    lines = [line(1, "SHIRT-A", 1, 300), line(2, "TROUSERS-B", 1, 500)]
    result = price([p], lines)
    assert off(result) == {1: D("100.00"), 2: D("100.00")}
    assert bill(lines, result) == D("600.00")
    # alone, the shirt keeps its price
    assert price([p], [line(1, "SHIRT-A", 2, 300)]).applied == ()
    # two sets and a third shirt: two sets priced, the third shirt at 300
    more = [line(1, "SHIRT-A", 3, 300), line(2, "TROUSERS-B", 2, 500)]
    assert off(price([p], more)) == {1: D("200.00"), 2: D("200.00")}


def test_2f_a_message_on_the_bill_takes_no_unit() -> None:
    message = promo("mix_message", {"mix": MIX}, message="Thank you for the set!", priority=1)
    fanta = promo("mix_gift", {"mix": MIX, "gifts": ["FANTA"]}, priority=2)
    result = price([message, fanta], CANS, ctx(gift_prices=PRICES))
    assert result.messages == ("Thank you for the set!",)
    assert len(result.gifts) == 1  # the gift still applies to the same cans
    assert result.applied[0].takes == ()
