"""The promotion form's rows take money in the shop's display unit where a cell is money: a toman
shop types ``20,000`` for a band's price or a set's price and 200,000 rial is stored; the edit shows
``20000`` back; a quantity, a free count or a percent stays as typed; finer than a rial is refused
on the row; a THB shop is unchanged."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from sasom.organizations.models import Role
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import ParamsError
from sasom.promotions.forms import MONEY_CELLS
from sasom.promotions.models import Promotion

pytestmark = pytest.mark.django_db

BASE = {"code": "P1", "name": "Bands", "priority": "100", "item_skus": "COKE"}


def _save(client, kind, cells):
    page = client.get(f"/promotions/new/?kind={kind}").content.decode()
    token = re.search(r'name="_form_token" value="([^"]+)"', page).group(1)
    return client.post("/promotions/new/", BASE | {"kind": kind, "_form_token": token} | cells)


def _cell(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', page).group(1)


def test_money_bands_and_set_prices_take_toman(toman_org, staff_client, catalog):
    client = staff_client(Role.MARKETING)
    response = _save(client, "qty_price", {"p-bands-0-from": "3", "p-bands-0-value": "20,000",
                                           "p-bands-1-from": "6", "p-bands-1-value": "۱۸٬۰۰۰.۵"})
    assert response.status_code == 302, response.context and response.context["param_fields"][0].error
    promo = Promotion.objects.get(organization=toman_org, code="P1")
    assert [(b["from"], Decimal(b["value"])) for b in promo.params["bands"]] == [(3, 200000), (6, 180005)]
    page = client.get(f"/promotions/{promo.pk}/edit/").content.decode()
    assert _cell(page, "p-bands-0-value") == "20000" and _cell(page, "p-bands-1-value") == "18000.5"
    assert _cell(page, "p-bands-0-from") == "3"

    response = _save(client, "mix_set_price", {"code": "SET", "p-mix-0-sku": "COKE", "p-mix-0-quantity": "2",
                                               "p-mix-0-price": "20,000", "p-mix-1-sku": "LAYS",
                                               "p-mix-1-price": "5000"})
    assert response.status_code == 302
    promo = Promotion.objects.get(organization=toman_org, code="SET")
    assert [(m["quantity"], Decimal(m["price"])) for m in promo.params["mix"]] == [(2, 200000), (1, 50000)]
    page = client.get(f"/promotions/{promo.pk}/edit/").content.decode()
    assert _cell(page, "p-mix-0-price") == "20000" and _cell(page, "p-mix-0-quantity") == "2"


def test_a_percent_and_a_free_quantity_stay_as_typed_in_a_toman_shop(toman_org, staff_client, catalog):
    client = staff_client(Role.MARKETING)
    assert _save(client, "qty_percent", {"p-bands-0-from": "3", "p-bands-0-value": "10"}).status_code == 302
    assert Promotion.objects.get(code="P1").params["bands"] == [{"from": 3, "value": "10"}]
    assert _save(client, "qty_free", {"code": "FREE", "p-bands-0-from": "2",
                                      "p-bands-0-value": "1"}).status_code == 302
    assert Promotion.objects.get(code="FREE").params["bands"] == [{"from": 2, "value": 1}]


def test_a_band_price_finer_than_a_rial_is_refused_on_its_rows(toman_org, staff_client, catalog):
    response = _save(staff_client(Role.MARKETING), "qty_price", {"p-bands-0-from": "3",
                                                                 "p-bands-0-value": "20000.25"})
    assert response.status_code == 200 and not Promotion.objects.exists()
    bands = next(f for f in response.context["param_fields"] if f.name == "bands")
    assert bands.error and bands.rows[0]["value"] == "20000.25"


def test_a_thb_shop_is_unchanged(org, staff_client, catalog):
    client = staff_client(Role.MARKETING)
    assert _save(client, "qty_price", {"p-bands-0-from": "3", "p-bands-0-value": "9.50"}).status_code == 302
    promo = Promotion.objects.get(organization=org)
    assert promo.params["bands"] == [{"from": 3, "value": "9.50"}]
    assert _cell(client.get(f"/promotions/{promo.pk}/edit/").content.decode(), "p-bands-0-value") == "9.50"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_money_cells_are_the_kinds_money(kind):
    """A kind's band value is money where it takes an amount no percent or count would (150.50)."""
    spec = KINDS[kind]
    names = {p.name: p.type for p in spec.params}
    if names.get("bands") == "bands":
        try:
            spec.clean({"bands": [{"from": 1, "value": "150.50"}]})
            money = True
        except ParamsError:
            money = False
        assert money == ("value" in MONEY_CELLS.get(kind, {}).get("bands", ()))
    if names.get("mix") == "mix":
        try:
            spec.clean({**spec.example, "mix": [{"sku": "A", "quantity": 1, "price": "1.00"}]})
            priced = True
        except ParamsError as exc:
            priced = not exc.field.endswith("price")
        assert priced == ("price" in MONEY_CELLS.get(kind, {}).get("mix", ()))
