"""The promotion screens used hard (session 15): what the form draws is what it saves back."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from sasom.core.audit import Actor
from sasom.organizations.models import Role
from sasom.promotions import services

pytestmark = pytest.mark.django_db


def test_editing_a_promotion_with_many_steps_on_the_screen_keeps_every_step(staff_client, org, catalog):
    # given a buy-N-get-free with 35 steps, made over the API (which takes any number of bands)
    bands = [{"from": n, "value": n // 2} for n in range(2, 37)]
    promo = services.promotion_create(organization_id=org.pk, actor=Actor.system("test"), code="MANY", name="many",
                                      kind="qty_free", item_skus=["COKE"], params={"bands": bands})
    client = staff_client(Role.MARKETING)
    # when marketing opens it on the screen and saves it with a new name, sending back every input drawn
    page = client.get(f"/promotions/{promo.pk}/edit/").content.decode()
    drawn = {name: htmllib.unescape(value)
             for name, value in re.findall(r'<input name="(p-bands-\d+-\w+)" value="([^"]*)"', page)}
    assert len(drawn) >= 2 * len(bands)
    post = {"kind": "qty_free", "code": "MANY", "name": "many, renamed", "priority": "100", "item_skus": "COKE",
            **drawn}
    r = client.post(f"/promotions/{promo.pk}/edit/", post)
    # then the name changed and no step was lost (the form read only its first 30 rows)
    assert r.status_code == 302, r.content.decode()[:2000]
    promo.refresh_from_db()
    assert promo.name == "many, renamed"
    assert promo.params["bands"] == bands
