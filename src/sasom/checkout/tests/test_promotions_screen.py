"""The till screen with POS promotions: the discounts on the lines, the gifts, the choices the
cashier picks (carried into the post), the hints and the bill messages; and the inquiry at the
cashier (variant 7). test_till's shop: chips 20.00 (barcode 8850001), rice 100.00, beer 60.00."""

from __future__ import annotations

from django.urls import reverse

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_till import HX, cashier, post_sale, scan, shop, vip  # noqa: F401  (fixtures)
from sasom.ledger.models import Sale
from sasom.promotions.models import PromotionUse


def test_the_screen_shows_the_promotion_on_the_line_and_in_the_totals(shop, cashier):  # noqa: F811
    # given "buy 2 get 1" on chips
    promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], name="ซื้อ 2 แถม 1",
              message="ขอบคุณค่ะ")
    # when two bags are scanned, the screen says one more gives a free one
    two = scan(cashier, "8850001") and scan(cashier, "8850001")
    # (in Thai, once: the hint's own sentence, not "add 1 more (add 1 more CHIPS for a free item)")
    hints = two.content.decode().split('class="promotion-hints')[1].split("</ul>")[0]
    assert hints.count("อีก 1 ชิ้น") == 1 and "CHIPS" in hints and "(" not in hints, hints
    # when the third is scanned
    panel = scan(cashier, "8850001").content.decode()
    # then the promotion, its discount and its message are on screen and the bill is 40.00
    assert 'id="promotions"' in panel and "ซื้อ 2 แถม 1" in panel and "ขอบคุณค่ะ" in panel
    assert 'id="promotion-discount">−20.00' in panel
    assert 'id="net">40.00' in panel
    # and the post stores it
    posted = post_sale(cashier)
    assert posted.status_code == 302
    assert Sale.objects.get().net == 40
    assert PromotionUse.objects.count() == 1


def test_the_cashier_picks_the_members_choice_and_the_post_takes_it(shop, cashier):  # noqa: F811
    # given "a beer: rice or chips for 1.00"
    promotion(shop, "PICK", "test_gift", {"options": ["RICE", "CHIPS"], "price": "1.00"}, ["BEER"], name="แลกซื้อ")
    panel = scan(cashier, "BEER").content.decode()
    assert 'name="sku" value="RICE"' in panel and 'name="sku" value="CHIPS"' in panel
    # when the cashier picks the rice
    chosen = cashier.post(reverse("checkout:till_choice"), {"promotion": "PICK", "sku": "RICE"}, **HX).content.decode()
    # then the rice is a line at 1.00 (100.00 less 99.00), without quantity buttons, and the choice is gone
    assert 'id="net">61.00' in chosen
    assert 'name="sku" value="RICE"' not in chosen
    post_sale(cashier)
    sale = Sale.objects.get()
    rice = sale.lines.get(sku="RICE")
    assert (rice.price_source, rice.promotion_discount, rice.net) == ("promotion", 99, 1)


def test_a_choice_not_offered_is_refused_and_the_bill_kept(shop, cashier):  # noqa: F811
    promotion(shop, "PICK", "test_gift", {"options": ["RICE", "CHIPS"], "price": "1.00"}, ["BEER"])
    scan(cashier, "BEER")
    answer = cashier.post(reverse("checkout:till_choice"), {"promotion": "PICK", "sku": "BEER"}, **HX).content.decode()
    assert "is not one of the choices" in answer
    assert 'id="net">60.00' in answer


def test_the_inquiry_shows_the_members_price_and_the_promotions_with_the_next_step(shop, cashier):  # noqa: F811
    promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], name="ซื้อ 2 แถม 1")
    promotion(shop, "RICE11", "qty_free", {"bands": [{"from": 1, "value": 1}]}, ["RICE"], name="ข้าวแถมข้าว")
    scan(cashier, "8850001")
    scan(cashier, "8850001")
    page = cashier.get(reverse("checkout:till_inquiry"), {"code": "8850001"}).content.decode()
    assert "มันฝรั่งทอด" in page and 'id="inquiry-net">20.00' in page
    assert "ซื้อ 2 แถม 1" in page and "ข้าวแถมข้าว" not in page
    assert "เพิ่ม CHIPS อีก 1 ชิ้น รับฟรี 1 ชิ้น" in page  # the hint in the screen's language
    unknown = cashier.get(reverse("checkout:till_inquiry"), {"code": "NOPE"}).content.decode()
    assert "ไม่พบสินค้ารหัส NOPE" in unknown  # the screen speaks Thai


def test_the_till_inquiry_shows_the_next_step_in_thai(shop, cashier):  # noqa: F811
    promotion(shop, "PACK", "group_fixed_total", {"quantity": 3, "total": "50"}, ["CHIPS"], name="3 ถุง 50")
    scan(cashier, "8850001")
    page = cashier.get(reverse("checkout:till_inquiry"), {"code": "8850001"}).content.decode()
    assert "เพิ่มอีก 2 ชิ้น ครบ 3 ชิ้น: รวม 50.00 บาท" in page
