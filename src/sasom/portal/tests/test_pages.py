"""Each page shows the logged-in member's own figures, and nothing of anyone else."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.earning import engine
from sasom.ledger.models import LedgerSettings
from sasom.ledger.services import account_for, points_adjust, sale_post
from sasom.members.models import Consent
from sasom.rewards.models import Coupon, CouponTemplate, Reward
from sasom.rewards.services import coupon_issue
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def _sale(org, terminal, member, receipt: str, amount: str) -> None:
    basket = engine.Basket(occurred_at=timezone.now(), lines=(engine.BasketLine(
        line_no=1, sku="X", quantity=Decimal(1), unit_price=Decimal(amount)),))
    sale_post(organization=org, branch=terminal.branch, terminal=terminal, receipt_id=receipt, basket=basket,
              member=member, actor=SYSTEM)


@pytest.fixture
def shop(org, member, member_type, terminal):
    """Somchai has 1,234 points expiring in 30 days and a 300-baht sale; Malee has 99 points."""
    from sasom.earning.services import rule_create

    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": "days", "expiry_n": 30})
    rule_create(organization_id=org.id, actor=SYSTEM, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    points_adjust(account=account_for(member), points=1234, reason="opening", actor=SYSTEM)
    _sale(org, terminal, member, "R-0001", "300")
    other = MemberFactory(organization=org, member_type=member_type, code="M0000002", phone="+66899999999",
                          first_name="มาลี")
    points_adjust(account=account_for(other), points=99, reason="opening", actor=SYSTEM)
    template = CouponTemplate.objects.create(organization=org, code="C50", name="คูปองส่วนลด 50 บาท", kind="cash",
                                             value=Decimal("50"), points_cost=0, validity_days=30)
    mine = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False)
    theirs = coupon_issue(member=other, template=template, actor=SYSTEM, charge_points=False)
    Reward.objects.create(organization=org, code="BAG", name="ถุงผ้า", points_cost=500)
    Reward.objects.create(organization=org, code="MUG", name="แก้วน้ำ", points_cost=2000)
    return {"other": other, "mine": mine, "theirs": theirs, "template": template}


@pytest.fixture
def me(portal, member, shop):
    return portal.log_in(Client(), member)


def test_home_shows_the_card_balance_and_next_expiry_in_thai(portal, member, shop, me):
    # when Somchai opens the portal (Thai is the default language)
    html = me.get(portal.base).content.decode()
    # then his card: name, code, a QR code of the code, his points (1,234 + 3 from the sale)
    assert "สมชาย ใจดี" in html and 'id="member-code">M0000001<' in html
    assert "<svg" in html
    assert 'id="spendable">1,237<' in html and 'id="pending">0<' in html
    # and which points expire when, with a Buddhist-era year
    expiry = (timezone.localdate() + dt.timedelta(days=30))
    assert f"{expiry.day:02d}/{expiry.month:02d}/{expiry.year + 543}" in html
    assert "แต้มที่ใช้ได้" in html
    # and nothing of Malee's
    assert "มาลี" not in html and "M0000002" not in html


def test_home_in_english(portal, member, shop, me):
    me.cookies["django_language"] = "en"
    html = me.get(portal.base).content.decode()
    assert "Points you can use" in html and "แต้มที่ใช้ได้" not in html
    # and the expiry date in the Western calendar
    assert (timezone.localdate() + dt.timedelta(days=30)).isoformat() in html


def test_history_lists_own_entries_with_sale_and_branch_in_pinned_queries(
    portal, member, shop, me, org, terminal, django_assert_num_queries
):
    # given 25 more sales for Somchai
    for i in range(25):
        _sale(org, terminal, member, f"R-1{i:03d}", "100")
    # when he reads his history
    me.get(f"{portal.base}points/")  # the session's last-seen time is written once
    with django_assert_num_queries(6):  # session, organization, member, account, count, page
        response = me.get(f"{portal.base}points/")
    html = response.content.decode()
    # then 20 entries a page, newest first, each with branch and receipt
    page = response.context["page"]
    assert page.paginator.count == 27 and len(page.object_list) == 20
    assert {e.account.member_id for e in page.object_list} == {member.pk}
    assert "R-1024" in html and "สาขาสุขุมวิท" in html
    assert "R-0001" not in html
    older = me.get(f"{portal.base}points/?page=2").content.decode()
    assert "R-0001" in older and "+1,234" in older


def test_coupons_page_shows_own_coupons_with_their_qr(portal, shop, me):
    html = me.get(f"{portal.base}coupons/").content.decode()
    assert f'data-coupon="{shop["mine"].code}"' in html and "<svg" in html
    assert shop["theirs"].code not in html
    detail = me.get(f"{portal.base}coupons/{shop['mine'].pk}/")
    assert detail.status_code == 200 and "<svg" in detail.content.decode()


def test_used_and_expired_coupons_are_shelved_apart(portal, shop, me, member):
    used = coupon_issue(member=member, template=shop["template"], actor=SYSTEM, charge_points=False)
    Coupon.objects.filter(pk=used.pk).update(status=Coupon.Status.USED, used_at=timezone.now())
    old = coupon_issue(member=member, template=shop["template"], actor=SYSTEM, charge_points=False)
    Coupon.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    response = me.get(f"{portal.base}coupons/")
    shelves = response.context["shelves"]
    assert [c.pk for c in shelves.active] == [shop["mine"].pk]
    assert [c.pk for c in shelves.used] == [used.pk]
    assert [c.pk for c in shelves.ended] == [old.pk]
    # an expired coupon shows no QR code to scan
    assert "<svg" not in me.get(f"{portal.base}coupons/{old.pk}/").content.decode()


def test_another_members_coupon_id_is_404(portal, shop, me, other_org):
    # given a coupon of Malee's and one of another organization
    foreign_template = CouponTemplate.objects.create(organization=other_org, code="F", name="F", kind="cash",
                                                     value=Decimal("5"), points_cost=0, validity_days=5)
    foreign = coupon_issue(member=MemberFactory(organization=other_org), template=foreign_template, actor=SYSTEM,
                           charge_points=False)
    # then Somchai's session gets 404 for both, and for an id that does not exist
    for pk in (shop["theirs"].pk, foreign.pk, 999999):
        assert me.get(f"{portal.base}coupons/{pk}/").status_code == 404


def test_rewards_show_cost_and_what_is_missing(portal, shop, me):
    response = me.get(f"{portal.base}rewards/")
    html = response.content.decode()
    assert [(r.code, missing) for r, missing in response.context["items"]] == [("BAG", 0), ("MUG", 763)]
    assert "ถุงผ้า" in html and "763" in html


def test_consent_is_recorded_with_its_history(portal, member, shop, me):
    # when Somchai agrees to marketing messages, then withdraws
    me.post(f"{portal.base}me/", {"purpose": "marketing", "granted": "1"})
    me.post(f"{portal.base}me/", {"purpose": "marketing", "granted": "1"})  # no change: nothing recorded
    me.post(f"{portal.base}me/", {"purpose": "marketing", "granted": "0"})
    # then two consent records from the web, the member's flag follows, the audit names the portal
    rows = list(Consent.objects.filter(member=member).order_by("at", "id").values_list("granted", "channel"))
    assert rows == [(True, "web"), (False, "web")]
    member.refresh_from_db()
    assert member.marketing_consent is False
    assert AuditEvent.objects.filter(action="member.consent", actor_label="portal:M0000001").count() == 2
    html = me.get(f"{portal.base}me/").content.decode()
    assert 'data-consent="marketing">ไม่' in html
    assert not Consent.objects.filter(member=shop["other"]).exists()


def test_unknown_consent_purpose_changes_nothing(portal, member, shop, me):
    me.post(f"{portal.base}me/", {"purpose": "anything", "granted": "1"})
    assert not Consent.objects.exists()


def test_data_export_is_the_members_own_and_audited(portal, member, shop, me):
    # when Somchai downloads his data (a member id in the query is not read)
    response = me.get(f"{portal.base}me/export/?format=json&member={shop['other'].pk}&code=M0000002")
    # then it is his, with his points, and the download is audited
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    data = json.loads(response.content)
    assert data["profile"]["code"] == "M0000001" and data["points"]["spendable"] == 1237
    assert "M0000002" not in response.content.decode() and "มาลี" not in response.content.decode()
    assert AuditEvent.objects.filter(action="member.export", actor_label="portal:M0000001").count() == 1
    zipped = me.get(f"{portal.base}me/export/?format=csv")
    assert zipped["Content-Type"] == "application/zip" and zipped.content[:2] == b"PK"


def test_home_shows_the_tier_and_how_far_the_next_one_is(portal, member, shop, me, org, terminal):
    from sasom.tiers.services import TierIn, ladder_configure

    # no ladder: no tier section
    assert 'id="tier"' not in me.get(portal.base).content.decode()
    # given a ladder Silver 5 / Gold 10 points earned in 12 months (adjustments do not count)
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers", cutoff_frequency="half_yearly",
                     tiers=[TierIn("SILVER", "Silver", 5, card_color="#94a3b8"), TierIn("GOLD", "Gold", 10)])
    _sale(org, terminal, member, "R-0002", "400")  # 3 + 4 = 7 points earned
    me.cookies["django_language"] = "en"
    html = me.get(portal.base).content.decode()
    assert 'id="tier-name">Silver<' in html
    assert "You earned 7 points in the last 12 months." in html
    assert "<strong>3</strong> more to Gold." in html
    assert "To keep it: 5 in the 12 months before" in html
