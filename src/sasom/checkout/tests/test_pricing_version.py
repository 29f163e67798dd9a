"""The till's pricing settings kept by version (docs/decisions/0013-pricing-settings-version.md):
every change moves ``PricingSettings.version`` in its own transaction; the sale's one statement
reads that version and so never prices with an older copy; every other caller trusts its copy for
``EARNING_RULESET_TTL`` seconds, then reads the version alone.

"Another process" is this one with its copy put back after the change: the change drops this
process's copy, and only the database tells the others.

The shop is test_priced_basket's: the POS's prices lose (``authority`` "sasom"), the VIP table
sells rice at 85.00 at B1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sasom.catalog import price_tables, prices
from sasom.catalog.models import Category, PricingSettings
from sasom.catalog.pricing import LineIn
from sasom.catalog.services import category_create, category_update
from sasom.checkout.pricing_read import sale_read
from sasom.checkout.services import MemberRef
from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.selectors import account_of
from sasom.organizations.models import Organization
from sasom.testing.factories import OrganizationFactory

SYSTEM = Actor.system("test")
NOW = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
RICE_AT_95 = (LineIn(line_no=1, code="RICE", quantity=Decimal("1"), unit_price=Decimal("95.00")),)


def _version(org: Organization) -> int:
    return PricingSettings.objects.get(organization=org).version


def _saved_elsewhere(org: Organization, **data: object) -> None:
    """The settings changed by another process: this process's copy stays as it was."""
    kept = prices._CACHE.get(org.pk)
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data=data)
    if kept is not None:
        prices._CACHE[org.pk] = kept


def _aged(org: Organization, seconds: float = 3600) -> None:
    at, kept = prices._CACHE[org.pk]
    prices._CACHE[org.pk] = (at - seconds, kept)


def _rice(org: Organization, branch, vip) -> tuple[Decimal, str]:
    """The till's price of rice sent at 95.00 for the VIP, through the sale's one read."""
    basket = engine.Basket(occurred_at=NOW, lines=(), branch_code=branch.code)
    _member, _account, till = sale_read(
        organization=org,
        branch=branch,
        basket=basket,
        ref=MemberRef(phone=vip.phone),
        region="TH",
        fallback=lambda: (vip, account_of(vip)),
        sent=RICE_AT_95,
    )
    line = till.basket.lines[0]
    return line.unit_price, line.price_source


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the sale's one statement is PostgreSQL's (SQLite takes the two reads)")


def test_every_change_of_what_the_till_keeps_moves_the_version(shop, org):
    # given the shop's settings at some version
    start = _version(org)
    vip_table = price_tables.price_table_get(org.pk, "VIP")
    # when each kind of change is made, then the version moves with it
    changes = [
        lambda: price_tables.pricing_settings_save(
            organization_id=org.pk, actor=SYSTEM, data={"open_lines": True}
        ),
        lambda: price_tables.price_table_update(
            table=vip_table, actor=SYSTEM, data={"is_active": False}
        ),
        lambda: price_tables.price_table_update(
            table=vip_table, actor=SYSTEM, data={"member_types": []}
        ),
        lambda: price_tables.price_table_create(
            organization_id=org.pk, actor=SYSTEM, code="NEW", name="New", member_types=["VIP"]
        ),
        lambda: category_create(
            organization_id=org.pk, actor=SYSTEM, code="TOYS", name_th="ของเล่น"
        ),
        lambda: category_update(
            category=Category.objects.get(organization=org, code="TOYS"),
            actor=SYSTEM,
            data={"parent": "FOOD"},
        ),
    ]
    for n, change in enumerate(changes, start=1):
        change()
        assert _version(org) == start + n, n
    # and the settings' own save keeps what it saved (it does not write back the version it read)
    assert PricingSettings.objects.get(organization=org).open_lines is True


def test_the_first_save_gives_a_version_the_copy_without_one_does_not_match(org):
    # given an organization that never saved its settings, its copy kept
    assert prices.pricing_settings(org.pk).version is None
    # when another process saves them for the first time and this copy is old
    _saved_elsewhere(org, authority="sasom")
    _aged(org)
    # then the copy is read again
    now = prices.pricing_settings(org.pk)
    assert (now.configured, now.authority, now.version) == (True, "sasom", _version(org))


def test_an_old_copy_costs_one_query_for_its_version_and_is_read_again_only_when_it_moved(
    shop, org, settings
):
    settings.EARNING_RULESET_TTL = 5
    # given a copy older than the TTL, nothing changed
    kept = prices.pricing_settings(org.pk)
    _aged(org, 6)
    with CaptureQueriesContext(connection) as queries:
        again = prices.pricing_settings(org.pk)
    # then one query, the version's, and the same copy, now counted as checked
    assert again is kept
    assert len(queries.captured_queries) == 1 and "version" in queries.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as queries:
        assert prices.pricing_settings(org.pk) is kept
    assert queries.captured_queries == []
    # when another process lets the POS's prices win, then within the TTL this process keeps its copy
    _saved_elsewhere(org, authority="pos")
    assert prices.pricing_settings(org.pk).authority == "sasom"
    # and after it, reads them again
    _aged(org, 6)
    assert prices.pricing_settings(org.pk).authority == "pos"


def test_the_sale_sees_a_change_made_elsewhere_at_once_whatever_the_ttl(
    shop, org, branch, vip, settings
):
    _postgresql_only()
    settings.EARNING_RULESET_TTL = 3600
    # given a warm copy: Sasom's prices win, rice is the VIP table's 85.00 at B1
    assert _rice(org, branch, vip) == (Decimal("85.00"), "table:VIP@B1")
    # when another process lets the POS's prices win
    _saved_elsewhere(org, authority="pos")
    assert prices._CACHE[org.pk][1].authority == "sasom"  # this process's copy is the old one
    with CaptureQueriesContext(connection) as queries:
        price = _rice(org, branch, vip)
    # then the very next sale takes the POS's price: its statement saw the version move, the
    # settings were read again and the statement run again with them
    assert price == (Decimal("95.00"), "pos")
    executed = [
        q["sql"].split()[1] for q in queries.captured_queries if q["sql"].startswith("EXECUTE")
    ]
    assert executed == ["sasom_sale_read_by_phone_v3"] * 2
    assert prices._CACHE[org.pk][1].version == _version(org)


def test_the_sale_asks_nothing_of_its_own_for_an_unchanged_copy_however_old(
    shop, org, branch, vip, settings
):
    _postgresql_only()
    settings.EARNING_RULESET_TTL = 5
    # given a copy far older than the TTL, nothing changed
    _rice(org, branch, vip)
    kept = prices._CACHE[org.pk][1]
    _aged(org)
    # when a sale reads its member and prices
    with CaptureQueriesContext(connection) as queries:
        assert _rice(org, branch, vip) == (Decimal("85.00"), "table:VIP@B1")
    # then its one statement was its only query (the version rode with it), and the copy, kept,
    # counts as checked now: the next caller within the TTL asks nothing either
    assert [q["sql"].split()[1] for q in queries.captured_queries] == [
        "sasom_sale_read_by_phone_v3"
    ]
    with CaptureQueriesContext(connection) as queries:
        assert prices.pricing_settings(org.pk) is kept
    assert queries.captured_queries == []


def test_a_change_rolled_back_leaves_no_copy_behind(shop, org, branch, vip, settings):
    settings.EARNING_RULESET_TTL = 3600
    before = prices.pricing_settings(org.pk)
    # given a change that is rolled back after this process read the settings inside it
    with pytest.raises(RuntimeError), transaction.atomic():
        price_tables.pricing_settings_save(
            organization_id=org.pk, actor=SYSTEM, data={"authority": "pos"}
        )
        inside = prices.pricing_settings(org.pk)
        assert (inside.authority, inside.version) == ("pos", before.version + 1)
        raise RuntimeError("rolled back")
    # then the version is as it was, and the copy read inside it is served no longer than a check
    assert _version(org) == before.version
    if connection.vendor == "postgresql":  # the sale's statement checks it at once
        assert _rice(org, branch, vip) == (Decimal("85.00"), "table:VIP@B1")
    _aged(org)
    assert prices.pricing_settings(org.pk).authority == "sasom"


def test_two_organizations_keep_their_own_copies(shop, org, settings):
    settings.EARNING_RULESET_TTL = 3600
    # given another organization with settings of its own
    other = OrganizationFactory()
    price_tables.pricing_settings_save(
        organization_id=other.pk, actor=SYSTEM, data={"authority": "pos"}
    )
    ours, theirs = prices.pricing_settings(org.pk), prices.pricing_settings(other.pk)
    # when the other one changes its settings
    price_tables.pricing_settings_save(
        organization_id=other.pk, actor=SYSTEM, data={"authority": "sasom"}
    )
    # then our copy and version stay, theirs moved
    assert prices.pricing_settings(org.pk) is ours
    assert _version(org) == ours.version
    assert prices.pricing_settings(other.pk).version == theirs.version + 1
