"""The promotion screens with the Django client: roles, the kind-built form and its errors on the
field, state buttons, copy, try a basket, settings, and a double submit that runs once."""

from __future__ import annotations

import re

import pytest

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.organizations.models import Role
from sasom.promotions import services
from sasom.promotions.models import Promotion, PromotionSettings, Status

pytestmark = pytest.mark.django_db

FORM = {"kind": "qty_free", "code": "COKE-B2G1", "name": "โค้ก ซื้อ 2 แถม 1", "priority": "100",
        "item_skus": "COKE", "p-bands-0-from": "2", "p-bands-0-value": "1", "p-repeat": "on"}


def _token(html: str) -> str:
    return re.search(r'name="_form_token" value="([^"]+)"', html).group(1)


def _promotion(org, **overrides) -> Promotion:
    data = {"code": "COKE-B2G1", "name": "โค้ก ซื้อ 2 แถม 1", "kind": "qty_free", "item_skus": ["COKE"],
            "params": {"bands": [{"from": 2, "value": 1}], "repeat": True}} | overrides
    return services.promotion_create(organization_id=org.pk, actor=Actor.system("test"), **data)


@pytest.mark.parametrize(("role", "can_view", "can_manage"), [
    (Role.OWNER, True, True), (Role.ADMIN, True, True), (Role.MARKETING, True, True),
    (Role.BRANCH_MANAGER, True, False), (Role.AUDITOR, True, False), (Role.CASHIER, False, False),
    (Role.SERVICE_COUNTER, False, False),
])
def test_roles(staff_client, org, catalog, role, can_view, can_manage):
    promo = _promotion(org)
    client = staff_client(role)
    assert (client.get("/promotions/").status_code == 200) is can_view
    assert (client.get(f"/promotions/{promo.pk}/").status_code == 200) is can_view
    assert (client.get("/promotions/settings/").status_code == 200) is can_view
    assert (client.get("/promotions/new/?kind=qty_free").status_code == 200) is can_manage
    r = client.post(f"/promotions/{promo.pk}/activate/")
    assert r.status_code == (302 if can_manage else 403)
    assert Promotion.objects.get(pk=promo.pk).status == (Status.ACTIVE if can_manage else Status.DRAFT)
    r = client.post("/promotions/settings/", {"mode": "priority"})
    assert r.status_code in ((302,) if can_manage else (403,))


def test_the_nav_lists_promotions_under_marketing(staff_client):
    html = staff_client(Role.MARKETING).get("/promotions/").content.decode()
    assert 'href="/promotions/"' in html
    assert 'href="/promotions/"' not in staff_client(Role.CASHIER).get("/").content.decode()


def test_new_first_asks_for_a_kind_then_shows_its_parameters(staff_client, catalog):
    client = staff_client(Role.MARKETING)
    html = client.get("/promotions/new/").content.decode()
    assert "/promotions/new/?kind=qty_free" in html
    html = client.get("/promotions/new/?kind=qty_free").content.decode()
    assert 'name="p-bands-0-from"' in html and 'name="p-bands-1-value"' in html and 'name="p-repeat"' in html
    assert 'name="_form_token"' in html


def test_create_saves_a_draft_and_a_double_submit_runs_once(staff_client, org, catalog):
    client = staff_client(Role.MARKETING)
    token = _token(client.get("/promotions/new/?kind=qty_free").content.decode())
    first = client.post("/promotions/new/", FORM | {"_form_token": token})
    again = client.post("/promotions/new/", FORM | {"_form_token": token})
    promo = Promotion.objects.get(organization=org)
    assert first.status_code == 302 and first["Location"] == f"/promotions/{promo.pk}/"
    assert again.status_code == 302
    assert promo.status == Status.DRAFT and promo.params == {"bands": [{"from": 2, "value": 1}], "repeat": True}
    assert promo.item_skus == ["COKE"] and promo.created_by_id == client.staff.user_id
    assert AuditEvent.objects.filter(action="promotions.create").count() == 1


@pytest.mark.parametrize(("change", "where", "text"), [
    ({"p-bands-0-value": "0"}, "bands", ""),
    ({"p-bands-0-from": "", "p-bands-0-value": ""}, "bands", ""),
    ({"item_skus": "COKE, NOPE"}, "item_skus", "NOPE"),
    ({"hours_from": "10:00"}, "hours_to", ""),
])
def test_a_refusal_is_shown_on_its_field(staff_client, org, catalog, change, where, text):
    client = staff_client(Role.MARKETING)
    r = client.post("/promotions/new/", FORM | change)
    assert r.status_code == 200
    html = r.content.decode()
    assert not Promotion.objects.exists()
    if where == "bands":  # the error sits in the rows' fieldset, after its inputs
        rows = html[html.index('name="p-bands-0-from"'):]
        assert '<ul class="errorlist">' in rows[: rows.index("</fieldset>")]
    else:
        field = html[html.index(f'name="{where}"'):]
        assert 'class="errorlist' in field[:600]
    assert text in html
    assert 'value="2"' in html or change.get("p-bands-0-from") == ""  # what was typed is kept


def test_edit_keeps_the_kind_and_changes_the_fields(staff_client, org, catalog):
    promo = _promotion(org)
    client = staff_client(Role.MARKETING)
    html = client.get(f"/promotions/{promo.pk}/edit/").content.decode()
    assert 'value="COKE"' in html and 'name="p-bands-0-from" value="2"' in html
    r = client.post(f"/promotions/{promo.pk}/edit/", FORM | {"name": "โค้ก 3 แถม 1", "p-bands-0-from": "3"})
    assert r.status_code == 302
    promo.refresh_from_db()
    assert promo.name == "โค้ก 3 แถม 1" and promo.params["bands"] == [{"from": 3, "value": 1}]


def test_an_ended_promotion_is_not_edited(staff_client, org, catalog):
    promo = services.promotion_end(promotion=_promotion(org), actor=Actor.system("t"))
    client = staff_client(Role.MARKETING)
    r = client.post(f"/promotions/{promo.pk}/edit/", FORM | {"name": "x"})
    assert r.status_code == 302 and Promotion.objects.get(pk=promo.pk).name != "x"


def test_the_state_buttons_move_it(staff_client, org, catalog):
    promo = _promotion(org)
    client = staff_client(Role.MARKETING)
    html = client.get(f"/promotions/{promo.pk}/").content.decode()
    assert f'action="/promotions/{promo.pk}/activate/"' in html and "/pause/" not in html
    for action, status in [("activate", Status.ACTIVE), ("pause", Status.PAUSED), ("resume", Status.ACTIVE),
                           ("end", Status.ENDED)]:
        assert client.post(f"/promotions/{promo.pk}/{action}/").status_code == 302
        assert Promotion.objects.get(pk=promo.pk).status == status
    client.post(f"/promotions/{promo.pk}/resume/")  # refused: a message, no change
    assert Promotion.objects.get(pk=promo.pk).status == Status.ENDED
    assert client.post(f"/promotions/{promo.pk}/explode/").status_code == 404
    assert client.get(f"/promotions/{promo.pk}/activate/").status_code == 405


def test_copy(staff_client, org, catalog):
    promo = _promotion(org)
    client = staff_client(Role.MARKETING)
    r = client.post(f"/promotions/{promo.pk}/copy/", {"code": "COKE-B2G1"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = client.post(f"/promotions/{promo.pk}/copy/", {"code": "COKE-DEC", "name": ""})
    copy = Promotion.objects.get(code="COKE-DEC")
    assert r["Location"] == f"/promotions/{copy.pk}/" and copy.status == Status.DRAFT


def test_try_a_basket_on_the_promotions_page(staff_client, org, catalog):
    promo = _promotion(org)  # a draft: tried as if active
    client = staff_client(Role.AUDITOR)
    html = client.post(f"/promotions/{promo.pk}/", {"lines": "COKE 3\nLAYS 1", "member": "", "branch": ""}).content.decode()
    assert "COKE-B2G1" in html and "65.00" in html and "15.00" in html
    html = client.post(f"/promotions/{promo.pk}/", {"lines": "COKE 2"}).content.decode()
    assert "COKE-B2G1" in html and "เพิ่ม COKE อีก 1 ชิ้น รับฟรี 1 ชิ้น" in html  # the hint in the screen's language
    html = client.post(f"/promotions/{promo.pk}/", {"lines": "NOPE 2"}).content.decode()
    assert "NOPE" in html and "errorlist" in html
    assert not AuditEvent.objects.filter(action__startswith="promotions.").exclude(action="promotions.create").exists()


def test_the_list_filters_by_status_and_kind(staff_client, org, catalog):
    _promotion(org)
    services.promotion_activate(promotion=_promotion(org, code="LIVE", name="ขายอยู่"), actor=Actor.system("t"))
    client = staff_client(Role.AUDITOR)
    html = client.get("/promotions/?status=active").content.decode()
    assert "LIVE" in html and "COKE-B2G1" not in html
    html = client.get("/promotions/?kind=qty_free&status=").content.decode()
    assert "LIVE" in html and "COKE-B2G1" in html


def test_another_organizations_promotion_is_not_found(staff_client, other_org, org, catalog):
    from sasom.catalog.models import Product

    Product.objects.create(organization=other_org, sku="COKE", name_th="โค้ก", base_price=15)
    theirs = _promotion(other_org)
    client = staff_client(Role.OWNER)
    assert client.get(f"/promotions/{theirs.pk}/").status_code == 404
    assert client.post(f"/promotions/{theirs.pk}/activate/").status_code == 404
    assert client.get(f"/promotions/{theirs.pk}/edit/").status_code == 404


def test_settings_page(staff_client, org):
    client = staff_client(Role.ADMIN)
    assert client.post("/promotions/settings/", {"mode": "priority", "gifts_earn_points": "on"}).status_code == 302
    row = PromotionSettings.objects.get(organization=org)
    assert (row.mode, row.gifts_earn_points) == ("priority", True)
    html = staff_client(Role.AUDITOR).get("/promotions/settings/").content.decode()
    assert "<fieldset disabled>" in html


def test_thai_screens(staff_client, org, catalog):
    promo = _promotion(org)
    client = staff_client(Role.MARKETING)
    client.cookies["django_language"] = "th"
    html = client.get(f"/promotions/{promo.pk}/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ลองโปรโมชั่นกับตะกร้า" in html and "โค้ก ซื้อ 2 แถม 1" in html


def test_a_mix_is_entered_as_rows_and_a_blank_cell_takes_the_default(staff_client, org, catalog):
    client = staff_client(Role.MARKETING)
    html = client.get("/promotions/new/?kind=mix_gift").content.decode()
    assert 'name="p-mix-0-sku"' in html and 'name="p-mix-1-quantity"' in html and 'name="p-gifts"' in html
    r = client.post("/promotions/new/", {
        "kind": "mix_gift", "code": "COKE-SPRITE", "name": "โค้ก + สไปรท์ แถมเลย์", "priority": "100",
        "p-mix-0-sku": "COKE", "p-mix-0-quantity": "1", "p-mix-1-sku": "SPRITE", "p-mix-1-quantity": "",
        "p-gifts": "LAYS", "p-gift_quantity": "1",
    })
    assert r.status_code == 302, r.content.decode()[-2000:]
    promo = Promotion.objects.get(code="COKE-SPRITE")
    assert [(m["sku"], m["quantity"]) for m in promo.params["mix"]] == [("COKE", 1), ("SPRITE", 1)]
    assert promo.params["gifts"] == ["LAYS"]
    # a SKU the shop does not sell is refused under the parameter
    r = client.post("/promotions/new/", {
        "kind": "mix_gift", "code": "BAD", "name": "x", "priority": "100",
        "p-mix-0-sku": "COKE", "p-gifts": "NOPE"})
    assert r.status_code == 200 and "NOPE" in r.content.decode() and not Promotion.objects.filter(code="BAD").exists()


def test_the_page_names_the_days_and_hours(staff_client, org, catalog):
    import datetime as dt

    promo = _promotion(org, weekdays=[5, 6], hours_from=dt.time(10), hours_to=dt.time(14))
    html = staff_client(Role.AUDITOR).get(f"/promotions/{promo.pk}/").content.decode()
    assert "ส., อา." in html and "10:00–14:00" in html  # the back office speaks Thai by default
