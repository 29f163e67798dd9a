"""The till screen when a running promotion stops offering the item a member picked (edited
between the pick and the post): the pick is dropped with a warning and the bill goes on, rather
than every scan, change and post being refused. test_till's shop: chips 20.00, rice 100.00,
beer 60.00."""

from __future__ import annotations

from django.urls import reverse

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_till import HX, basket, cashier, post_sale, scan, shop  # noqa: F401  (fixtures)
from sasom.core.audit import Actor
from sasom.ledger.models import Sale
from sasom.promotions.services import promotion_update


def pick(client, promotion_code, sku):
    return client.post(reverse("checkout:till_choice"), {"promotion": promotion_code, "sku": sku}, **HX)


def test_a_pick_the_promotion_no_longer_offers_is_dropped_and_the_bill_goes_on(shop, cashier):  # noqa: F811
    # given "a beer: rice or chips for 1.00", and the member picked the rice
    row = promotion(shop, "PICK", "group_pwp", {"quantity": 1, "offers": ["RICE", "CHIPS"], "offer_price": "1.00"},
                    ["BEER"], name="แลกซื้อ")
    scan(cashier, "BEER")
    assert 'id="net">61.00' in pick(cashier, "PICK", "RICE").content.decode()
    # when marketing changes the offer to chips or a second beer while the bill is open
    promotion_update(promotion=row, actor=Actor.system("marketing"),
                     params={"quantity": 1, "offers": ["CHIPS", "BEER"], "offer_price": "1.00"})
    # then the next scan is taken: the rice pick is dropped, said so, and the member may pick again
    panel = scan(cashier, "CHIPS").content.decode()
    assert 'id="net">80.00' in panel
    assert "PICK" in panel and "RICE" in panel  # the warning names the pick dropped
    assert 'name="sku" value="CHIPS"' in panel and 'name="sku" value="BEER"' in panel
    assert basket(cashier)["choices"] == []
    # and the bill posts as shown
    assert post_sale(cashier).status_code == 302
    assert Sale.objects.get().net == 80


def test_a_pick_the_promotion_never_offered_is_still_refused_and_the_bill_kept(shop, cashier):  # noqa: F811
    promotion(shop, "PICK", "group_pwp", {"quantity": 1, "offers": ["RICE", "CHIPS"], "offer_price": "1.00"}, ["BEER"])
    scan(cashier, "BEER")
    panel = pick(cashier, "PICK", "BEER").content.decode()
    assert "BEER is not one of the choices of PICK" in panel
    assert basket(cashier)["choices"] == []
    assert 'id="net">60.00' in panel
