"""A sale's reads before its posting call, as one statement on PostgreSQL (docs/performance.md,
"Gaps and the next levers", B1's PostgreSQL CPU).

The fast path of ``checkout.services.sale_commit`` needs the member named by the POS (with its
type, organization, points settings, account and tier) and the basket's products with their
prices. Read one after the other they are two prepared statements, each with its own round trip,
execution and snapshot; :func:`sale_read` reads both in one.

Where the pricing decisions stay: the statement decides nothing. It is given the organization's
member-type -> price-table map (``catalog.prices.pricing_settings``, cached) and fetches the
prices of the table of the member's type next to the general table's, exactly the statement
``catalog.prices.basket_products`` runs (``BASKET_PG``) with that table in place of its
parameter. Whether the member's table applies (their benefits on the day: status, expiry) is
still decided by ``checkout.pricing.member_terms``, and the rows are turned into prices by
``catalog.prices.products_of_rows``, the same code as the two-read path: the rows read here are
handed to ``basket_priced`` as its catalog read, which uses them only when it asks for the same
codes and the same table (else it reads the catalog again, so a difference can cost a query but
never a price). A member's table that does not apply drops the member prices read with it.

The settings handed to the statement are this process's copy, whatever its age: the statement
reads their version too (``PricingSettings.version``, in its own snapshot) and
``catalog.prices.pricing_confirmed`` keeps them when it is theirs; when it is not, the settings
and the statement are read again (twice at most, then the two reads). So the sale path asks no
query of its own for the settings, and never prices with settings older than its statement.

With a tier ladder on points or spend (``tiers.selectors.ladder_for``, cached per process), the
statement also measures the member's window for this sale (issue 19, B9): the statement of the
ladder's basis (one per basis, and one without the window for an organization without a ladder,
so no plan carries a part it never runs) takes the window's bounds and the top tier's code as
parameters (a member at the top tier is not measured: no sale moves them), and the measure is
the SQL of ``ledger.services.tier_measures`` (``earned_sql``, ``spent_sql``), read in the same
snapshot as the account. It rides with the member (``MemberValues.tier_window``) to
``ledger.services.tiering.tier_precheck``, which uses it for that window and basis only (a ladder
changed in between is counted again, a query more, never another decision). So a sale with a
ladder makes no statement more than one without; an upgrade still takes its transaction.

A reference that is not one phone or one member code (a card, several parts), a member not
found that way, and SQLite take the two reads as before (``fallback`` and ``basket_priced``);
the tier window is then counted apart, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django.db import connection

from sasom.catalog import prices
from sasom.catalog.models import PricingSettings
from sasom.catalog.pricing import LineIn, ProductPrices
from sasom.checkout.pricing import Priced, basket_priced, catalog_codes
from sasom.core.sql import prepared_row
from sasom.earning import engine
from sasom.ledger.models import LedgerSettings, PointAccount
from sasom.ledger.plan_member import MemberValues
from sasom.ledger.policy import local_date
from sasom.ledger.services.fastpost import member_columns, member_values_of_row
from sasom.ledger.services.tier_measures import earned_sql, spent_sql
from sasom.ledger.services.tiering import window_to_read
from sasom.members.models import Member, MemberType
from sasom.members.validation import phone_e164
from sasom.organizations.models import Branch, Organization
from sasom.tiers.engine import WindowMeasure
from sasom.tiers.models import MemberTier, Tier

__all__ = ["sale_read"]


class Ref(Protocol):  # checkout.services.MemberRef (frozen), read only
    @property
    def phone(self) -> str | None: ...

    @property
    def card(self) -> str | None: ...

    @property
    def code(self) -> str | None: ...


_TYPES = "bigint, text[], date, bigint, varchar, bigint, bigint[], bigint[]"
# $1 organization, $2 the codes, $3 the day, $4 the branch, $5 the member's phone or code,
# $6 the general table, $7 and $8 the member types and the table each uses (pricing settings);
# with a ladder, $9 and $10 the sale's tier window and $11 the top tier's code.
_TIER_TYPES = ", timestamptz, timestamptz, varchar"
_PRODUCTS = re.sub(r"\$5(?!\d)", "(SELECT table_id FROM tb)", prices.BASKET_PG)
_N = 13  # the columns of a product's row (catalog.prices.products_of_rows)
_NUMERIC = {8, 9, 11}  # base, member and general prices: as text, so the JSON keeps every digit
# The member's measure in the tier window (ledger.services.tier_measures, as tiering.measures counts
# it), none for a member at the top tier (no sale moves them): one statement per basis, and one
# without the window for an organization without a ladder, so no statement carries a part it
# never runs (PostgreSQL sets up every part of a plan at each execution).
_WINDOWS = {
    "": "NULL::bigint",
    "points": "CASE WHEN tt.code = $11 THEN NULL ELSE "
              + earned_sql(organization="$1", account="a.id", start="$9", end="$10") + " END",
    "spend": "CASE WHEN tt.code = $11 THEN NULL ELSE "
             + spent_sql(organization="$1", member="m.id", start="$9", end="$10") + " END",
}
_READ = (
    f"WITH mm AS (SELECT m0.id, m0.member_type_id FROM {Member._meta.db_table} m0"
    " WHERE m0.organization_id = $1 AND m0.{column} = $5 ORDER BY m0.id LIMIT 1),"
    " tb AS (SELECT x.table_id FROM mm JOIN unnest($7::bigint[], $8::bigint[]) AS x(member_type_id, table_id)"
    " ON x.member_type_id = mm.member_type_id)"
    " SELECT {columns}, {window},"
    f" (SELECT ps.version FROM {PricingSettings._meta.db_table} ps WHERE ps.organization_id = $1),"
    " (SELECT table_id FROM tb), (SELECT json_agg(json_build_array("
    + ", ".join(f"q.c{i}::text" if i in _NUMERIC else f"q.c{i}" for i in range(_N))
    + ") ORDER BY q.c1 DESC) FROM (" + _PRODUCTS + ") AS q(" + ", ".join(f"c{i}" for i in range(_N)) + "))"
    " FROM (SELECT 1) AS one LEFT JOIN mm ON true"
    f" LEFT JOIN {Member._meta.db_table} m ON m.id = mm.id"
    f" LEFT JOIN {MemberType._meta.db_table} t ON t.id = m.member_type_id"
    f" LEFT JOIN {Organization._meta.db_table} o ON o.id = m.organization_id"
    f" LEFT JOIN {LedgerSettings._meta.db_table} s ON s.organization_id = m.organization_id"
    f" LEFT JOIN {PointAccount._meta.db_table} a ON a.organization_id = m.organization_id AND a.member_id = m.id"
    f" LEFT JOIN {MemberTier._meta.db_table} mt ON mt.organization_id = m.organization_id AND mt.member_id = m.id"
    f" LEFT JOIN {Tier._meta.db_table} tt ON tt.id = mt.tier_id"
)

_BODIES: dict[str, str] = {}  # the statements' texts by name, made once

Found = tuple[Member | None, PointAccount | None]


def sale_read(*, organization: Organization, branch: Branch, basket: engine.Basket, ref: Ref | None, region: str,
              fallback: Callable[[], Found], sent: tuple[LineIn, ...] | None = None,
              choices: Mapping[str, str] | None = None, batch: bool = False, hints: bool = True
              ) -> tuple[Member | MemberValues | None, PointAccount | None, Priced]:
    """The member ``ref`` names with its account, and the basket priced for them
    (``basket_priced``'s answer and refusals; ``hints`` as it takes them), in one statement when
    it can (see the module); ``fallback`` reads the member and account the other way. Read in one
    statement, the member is plain values (``ledger.plan_member``; ``.instances()`` builds the
    model instances)."""
    key = _key(ref, region)
    if key is None or connection.vendor != "postgresql":
        return _two_reads(fallback, organization=organization, branch=branch, basket=basket, sent=sent,
                          choices=choices, batch=batch, hints=hints)
    by, value = key
    window = window_to_read(organization.pk, basket.occurred_at)  # the ladder: cached per process
    basis = window[2] if window is not None and window[2] in _WINDOWS else ""
    name = f"sasom_sale_read_by_{by}{'_' + basis if basis else ''}_v3"
    body = _BODIES.get(name)
    if body is None:
        body = _BODIES[name] = (_READ.replace("{column}", by).replace("{columns}", member_columns())
                                .replace("{window}", _WINDOWS[basis]))
    tiers: list[Any] = [window[0], window[1], window[3]] if window is not None and basis else []
    for _attempt in range(2):  # the settings this process keeps, confirmed by the statement's own read of their version
        settings = prices.pricing_settings_cached(organization.pk)
        codes = catalog_codes(organization=organization, basket=basket, sent=sent, batch=batch, settings=settings)
        wanted = sorted({c for c in codes or () if c})
        types = sorted(settings.member_tables)
        row = prepared_row(name, _TYPES + (_TIER_TYPES if basis else ""), body,
                           [organization.pk, wanted, local_date(basket.occurred_at, organization.time_zone), branch.pk,
                            value, settings.general_table_id, types, [settings.member_tables[t][0] for t in types],
                            *tiers])
        assert row is not None  # one row, with or without a member
        if prices.pricing_confirmed(organization.pk, settings, row[-3]):
            break
    else:  # the settings moved under both reads: the two reads, with the settings read afresh
        return _two_reads(fallback, organization=organization, branch=branch, basket=basket, sent=sent,
                          choices=choices, batch=batch, hints=hints)
    measured = row[-4]
    member, account = member_values_of_row(row, None if window is None or measured is None else WindowMeasure(
        start=window[0], end=window[1], basis=window[2], measure=int(measured)))
    if member is None:
        return _two_reads(fallback, organization=organization, branch=branch, basket=basket, sent=sent,
                          choices=choices, batch=batch, hints=hints)

    def catalog(asked: list[str], table: tuple[int, str] | None) -> dict[str, ProductPrices]:
        if sorted({c for c in asked if c}) != wanted or (table is not None and table[0] != row[-2]):
            return prices.basket_products(organization.pk, asked, branch_id=branch.pk, branch_code=branch.code,
                                          on=local_date(basket.occurred_at, organization.time_zone),
                                          settings=settings, member_table=table)
        rows: list[list[Any]] = row[-1] or []
        if table is None:  # the member's table does not apply (member_terms): nor do its prices
            rows = [[*r[:9], None, None, *r[11:]] for r in rows]
        return prices.products_of_rows(rows, settings=settings, branch_code=branch.code,
                                       member_table_code=table[1] if table is not None else "")

    till = basket_priced(organization=organization, branch=branch, basket=basket, member=member, sent=sent,
                         choices=choices, batch=batch, catalog=catalog, hints=hints)
    return member, account, till


def _key(ref: Ref | None, region: str) -> tuple[str, str] | None:
    """("phone", the number normalized) or ("code", the code) for a reference of one phone or one
    code, the way ``checkout.services`` looks them up first; None for any other reference."""
    if ref is None or ref.card or bool(ref.phone) == bool(ref.code):
        return None
    if ref.phone:
        e164 = phone_e164(ref.phone, region)
        return ("phone", e164) if e164 else None
    assert ref.code is not None
    return ("code", ref.code.strip())



def _two_reads(fallback: Callable[[], Found], *, organization: Organization, branch: Branch, basket: engine.Basket,
               sent: tuple[LineIn, ...] | None, choices: Mapping[str, str] | None, batch: bool, hints: bool
               ) -> tuple[Member | None, PointAccount | None, Priced]:
    member, account = fallback()
    till = basket_priced(organization=organization, branch=branch, basket=basket, member=member, sent=sent,
                         choices=choices, batch=batch, hints=hints)
    return member, account, till
