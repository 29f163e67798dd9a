"""The shop's coupon texts name its own money (issue 18): the message preview's sample coupon and
the cashier's "needs a bill of at least" refusal read toman in a toman shop, baht in a Thai one."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.notifications.event_messages import event_message_preview
from sasom.notifications.events import EVENTS
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, coupon_template_save
from sasom.rewards.services.coupons import coupon_use

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
ISSUED = EVENTS["coupon_issued"]


def toman(org):
    org.currency, org.amounts_in_toman, org.language = "IRR", True, "fa"
    org.save(update_fields=["currency", "amounts_in_toman", "language"])
    return org


def test_the_sample_coupon_of_the_preview_is_in_the_shop_s_money(org):
    thai = event_message_preview(organization=org, event="coupon_issued", channel="sms", body=ISSUED.body_th,
                                 member=None, language="th").text
    assert "ลด 50.00 บาท" in thai and "THB" not in thai
    shop = toman(org)
    persian = event_message_preview(organization=shop, event="coupon_issued", channel="sms", body=ISSUED.body_fa,
                                    member=None, language="fa").text
    english = event_message_preview(organization=shop, event="coupon_issued", channel="sms", body=ISSUED.body_en,
                                    member=None, language="en").text
    assert "50,000 تومان تخفیف" in persian and "بات" not in persian
    assert "50,000 toman off" in english and "THB" not in english


def test_a_coupon_s_minimum_spend_is_refused_in_the_shop_s_money(org, branch, member):
    # given a toman shop's coupon for bills from 2,000,000 rial (200,000 toman)
    shop = toman(org)
    template = coupon_template_save(organization=shop, actor=SYSTEM, data={
        "code": "C", "name": "Gift", "kind": CouponTemplate.Kind.CASH, "value": Decimal("100000"),
        "points_cost": 0, "validity_days": 30, "min_spend": Decimal("2000000")})
    coupon = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False,
                          now=dt.datetime(2026, 5, 1, 10, tzinfo=BKK))
    # when it is used on a bill of 1,000,000 rial
    with translation.override("fa"), pytest.raises(DomainError) as refused:
        coupon_use(organization_id=shop.pk, code=coupon.code, member=member, bill_amount=Decimal("1000000"),
                   bill_reference="R-1", branch=branch, actor=SYSTEM, now=dt.datetime(2026, 5, 3, 10, tzinfo=BKK))
    # then the refusal names the minimum in toman, its field the bill amount
    assert refused.value.field == "bill_amount"
    assert "200,000 تومان" in refused.value.message and "2000000" not in refused.value.message
