"""The sale's one read (``checkout.pricing_read``): the member with its account and the basket's
prices in one statement on PostgreSQL price every till exactly as the two reads do (the member,
then ``basket_priced``), over price tables, member prices, member types and their states, tiers,
branches, barcodes and the POS's own prices. On SQLite the one read is the two reads.

The shop is test_priced_basket's (VIP table: rice 90.00, 85.00 at B1; general table: chips 18.00
at B2; alcohol takes no member discount), with a STAFF type whose own table sells beer at 50.00
at B2 only, a type without a table, and a tier ladder whose GOLD tier adds 5 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sasom.catalog import price_tables
from sasom.catalog.pricing import LineIn
from sasom.checkout.pricing import basket_priced
from sasom.checkout.pricing_read import sale_read
from sasom.checkout.services import MemberRef, member_find
from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.selectors import account_of
from sasom.ledger.services.points import account_for
from sasom.members.models import Member
from sasom.testing.factories import MemberFactory, MemberTypeFactory
from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

SYSTEM = Actor.system("test")
NOW = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
BASKETS = {
    "mixed": (("RICE", "2", None), ("8850001", "1", None), ("BEER", "1", None), ("GIFT", "1", None)),
    "chips": (("CHIPS", "3", None),),
    "pos_price": (("RICE", "1", "95.00"), ("BEER", "2", None)),
}


@pytest.fixture
def till_shop(shop, org, vip, vip_type):
    staff_type = MemberTypeFactory(organization=org, code="STAFF", discount_percent=Decimal("0"))
    table = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="STAFFT", name="Staff",
                                            member_types=["STAFF"])
    price_tables.price_set(table=table, actor=SYSTEM, product_code="BEER", price="50.00", branch="B2")
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers", benefits_mode="stack", tiers=[
        TierIn("SILVER", "Silver", 500), TierIn("GOLD", "Gold", 1000, discount_percent=Decimal("5"))])
    today = timezone.localdate(NOW)
    members = {
        "vip": vip,
        "vip_gold": MemberFactory(organization=org, member_type=vip_type, phone="+66820000001", code="V0000002"),
        "vip_expired": MemberFactory(organization=org, member_type=vip_type, phone="+66820000002", code="V0000003",
                                     expires_on=today - dt.timedelta(days=2)),
        "vip_birthday": MemberFactory(organization=org, member_type=vip_type, phone="+66820000003", code="V0000004",
                                      birth_on=dt.date(1990, today.month, 1)),
        "vip_suspended": MemberFactory(organization=org, member_type=vip_type, phone="+66820000004",
                                       code="V0000005", status=Member.Status.SUSPENDED),
        "staff": MemberFactory(organization=org, member_type=staff_type, phone="+66820000005", code="S0000001"),
        "plain": MemberFactory(organization=org, phone="+66820000006", code="P0000001"),
    }
    member_tier_set(organization_id=org.pk, member=members["vip_gold"], tier_code="GOLD", until=None, note="test",
                    actor=SYSTEM)
    member_tier_set(organization_id=org.pk, member=members["staff"], tier_code="SILVER", until=None, note="test",
                    actor=SYSTEM)
    account_for(members["vip"])  # one member with an account, the others without
    return members


def _sent(lines):
    return tuple(LineIn(line_no=i, code=code, quantity=Decimal(qty), unit_price=None if price is None else Decimal(price))
                 for i, (code, qty, price) in enumerate(lines, start=1))


def _outcome(fn):
    try:
        member, account, till = fn()
    except DomainError as exc:
        return ("refused", exc.code, exc.field)
    return (member.pk if member else None, account.pk if account else None, till.basket, till.priced, till.terms)


@pytest.mark.parametrize("basket_name", sorted(BASKETS))
@pytest.mark.parametrize("by", ["phone", "code"])
def test_the_one_read_prices_every_till_as_the_two_reads(org, branch, branch2, till_shop, basket_name, by):
    sent = _sent(BASKETS[basket_name])
    seen = 0
    for name, member in till_shop.items():
        for at in (branch, branch2):
            # given a member named by phone or code at one of two branches, and a basket
            ref = MemberRef(phone=member.phone) if by == "phone" else MemberRef(code=member.code)
            basket = engine.Basket(occurred_at=NOW, lines=(), branch_code=at.code)

            def two_reads(ref=ref, at=at, basket=basket):
                found = member_find(org.pk, ref, region="TH")
                return (found, account_of(found),
                        basket_priced(organization=org, branch=at, basket=basket, member=found, sent=sent))

            def fallback(ref=ref):
                found = member_find(org.pk, ref, region="TH")
                return found, account_of(found)

            # when the till is priced through the one read and through the two reads
            with CaptureQueriesContext(connection) as queries:
                one = _outcome(lambda ref=ref, at=at, basket=basket, fallback=fallback: sale_read(
                    organization=org, branch=at, basket=basket, ref=ref, region="TH", fallback=fallback,
                    sent=sent))
            two = _outcome(two_reads)
            # then the member, the account, every line's price, source and discount and the terms agree
            assert one == two, (name, at.code)
            assert one[0] == member.pk
            if connection.vendor == "postgresql":  # and the one read was one statement (the ladder's), read again never
                executed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXECUTE")]
                assert [s.split()[1] for s in executed] == [f"sasom_sale_read_by_{by}_points_v3"], executed
            seen += 1
    assert seen == 2 * len(till_shop)


def test_the_prices_differ_where_they_should(org, branch, branch2, till_shop):
    """The comparison above compares different prices: the VIP table at B1, the staff table at B2,
    none for an expired VIP, the GOLD tier's 5 % on top of the VIP's 10 %."""
    def line(member_key, at, code):
        basket = engine.Basket(occurred_at=NOW, lines=(), branch_code=at.code)
        member = till_shop[member_key]
        _m, _a, till = sale_read(organization=org, branch=at, basket=basket, ref=MemberRef(phone=member.phone),
                                 region="TH", fallback=lambda: (member, account_of(member)),
                                 sent=_sent(((code, "1", None),)))
        ln = till.basket.lines[0]
        return ln.unit_price, ln.price_source, ln.member_discount

    assert line("vip", branch, "RICE") == (Decimal("85.00"), "table:VIP@B1", Decimal("8.50"))
    assert line("vip_gold", branch2, "RICE") == (Decimal("90.00"), "table:VIP", Decimal("13.50"))
    assert line("vip_expired", branch, "RICE") == (Decimal("100.00"), "base", Decimal("0.00"))
    assert line("staff", branch2, "BEER") == (Decimal("50.00"), "table:STAFFT@B2", Decimal("0.00"))
    assert line("staff", branch, "BEER") == (Decimal("60.00"), "base", Decimal("0.00"))
    assert line("plain", branch2, "8850001") == (Decimal("18.00"), "table:STD@B2", Decimal("0.00"))


def test_an_unknown_member_or_product_is_refused_as_before(org, branch, till_shop):
    basket = engine.Basket(occurred_at=NOW, lines=(), branch_code=branch.code)

    def fallback():
        found = member_find(org.pk, MemberRef(phone="+66899999999"), region="TH")
        return found, account_of(found)

    with pytest.raises(DomainError) as nobody:
        sale_read(organization=org, branch=branch, basket=basket, ref=MemberRef(phone="+66899999999"), region="TH",
                  fallback=fallback, sent=_sent((("RICE", "1", None),)))
    assert (nobody.value.code, nobody.value.field) == ("member_not_found", "member.phone")
    vip = till_shop["vip"]
    with pytest.raises(DomainError) as unknown:
        sale_read(organization=org, branch=branch, basket=basket, ref=MemberRef(code=vip.code), region="TH",
                  fallback=lambda: (vip, account_of(vip)), sent=_sent((("NOPE", "1", None),)))
    assert (unknown.value.code, unknown.value.field) == ("unknown_product", "lines.0.sku")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one read exists on PostgreSQL only")
def test_the_one_read_gives_the_members_fields_as_the_model_does(org, branch, till_shop):
    """The fast path's member is plain values (``ledger.plan_member``): every field it carries is
    the model's, the tier as read with it, the points settings the organization's, and the model
    instances built from the same row for the slow path equal the ORM's."""
    from sasom.ledger.plan_member import _MEMBER, _TYPE, MemberValues
    from sasom.ledger.policy import settings_of
    from sasom.tiers.selectors import TIER_CODE_READ, member_tier_code

    tiers = {"vip_gold": "GOLD", "staff": "SILVER"}
    for name, member in till_shop.items():
        # given a member of the till's shop, read again by the ORM
        stored = Member.objects.select_related("member_type", "organization").get(pk=member.pk)
        basket = engine.Basket(occurred_at=NOW, lines=(), branch_code=branch.code)
        # when the till reads it with the basket in one statement
        read, account, _till = sale_read(organization=org, branch=branch, basket=basket,
                                         ref=MemberRef(code=member.code), region="TH",
                                         fallback=lambda m=member: (m, account_of(m)), sent=_sent((("RICE", "1", None),)))
        # then the values are the model's fields, the type's, the tier's and the settings'
        assert isinstance(read, MemberValues), name
        assert [getattr(read, f) for f in _MEMBER] == [getattr(stored, f) for f in _MEMBER], name
        assert [getattr(read.member_type, f) for f in _TYPE] == [getattr(stored.member_type, f) for f in _TYPE]
        assert getattr(read, TIER_CODE_READ) == tiers.get(name, "")
        assert member_tier_code(org.pk, read) == tiers.get(name, "")
        expected = settings_of(stored.organization)
        assert (read.settings.pk, read.settings.expiry_policy, read.settings.pending_days) == (
            expected.pk, expected.expiry_policy, expected.pending_days)
        assert (account.pk if account else None) == (account_of(stored).pk if account_of(stored) else None)
        # and the slow path's instances, built from the same row, are the ORM's
        model, model_account = read.instances()
        assert isinstance(model, Member) and model.pk == stored.pk and model.member_type == stored.member_type
        assert [getattr(model, f) for f in _MEMBER] == [getattr(stored, f) for f in _MEMBER]
        assert (model_account.pk if model_account else None) == (account.pk if account else None)
