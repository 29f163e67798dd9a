"""Day-end batches price a chunk of documents together: the same prices as
:func:`sasom.checkout.pricing.basket_priced` gives each document (``batch=True``: the batches'
date window, no POS promotions), with one catalog query per (branch, day, member price table) of
the chunk instead of one per document.

A day-end file is one business day of a few branches, so a chunk of 500 documents costs a handful
of catalog queries (``catalog.prices.basket_products`` with every code of the group: each code is
looked up on its own, so a code's product and prices do not depend on the other codes asked
with it). The steps are ``basket_priced``'s own, called in the same order: the sale's date, the
member's terms on the day (type, benefits, tier), the lines priced (``catalog.pricing``), the
priced basket, the bill discount. ``checkout/tests/test_batch_pricing.py`` proves the result equal
to ``basket_priced`` document by document. An organization that never saved its pricing settings
takes the baskets as sent: those go through ``basket_priced`` itself (it asks no catalog query for
a basket whose every line carries its price).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sasom.catalog import prices
from sasom.catalog.pricing import PricingError, Terms, basket_price
from sasom.checkout.checks import bill_discount_check, sale_time_check
from sasom.checkout.pricing import _priced_basket, basket_priced, lines_sent, member_terms
from sasom.core import calendars
from sasom.core.currency import places_of
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.policy import local_date
from sasom.ledger.services.bulk import BulkSale
from sasom.organizations.models import Organization

__all__ = ["baskets_priced"]

# the catalog query's own arguments: branch id and code, the day, the member's price table
_Key = tuple[int, str, dt.date, tuple[int, str] | None]


def baskets_priced(*, organization: Organization, items: Sequence[BulkSale]) -> list[engine.Basket | DomainError]:
    """Each item's basket priced as ``basket_priced(..., batch=True)`` prices it, or the
    ``DomainError`` it refuses the document with; in the items' order."""
    settings = prices.pricing_settings(organization.pk)
    out: list[engine.Basket | DomainError | None] = [None] * len(items)
    if not settings.configured:
        for i, item in enumerate(items):
            try:
                out[i] = basket_priced(organization=organization, branch=item.branch, basket=item.basket,
                                       member=item.member, batch=True).basket
            except DomainError as exc:
                out[i] = exc
        return _all(out)
    places = places_of(organization.currency)
    base = Terms(authority=settings.authority, min_bill=settings.min_bill,
                 skip_discounted_lines=settings.skip_discounted_lines,
                 excluded_categories=settings.excluded_categories, places=places)
    calendar = calendars.period_calendar(organization)
    todo: list[tuple[int, Terms, _Key]] = []
    codes: dict[_Key, set[str]] = {}
    terms_of: dict[tuple[int | None, dt.date], tuple[Terms, tuple[int, str] | None, str]] = {}
    for i, item in enumerate(items):
        basket = item.basket
        try:
            sale_time_check(basket.occurred_at, batch=True, since=organization.sales_since,
                            zone=organization.time_zone)
        except DomainError as exc:
            out[i] = exc
            continue
        on = local_date(basket.occurred_at, organization.time_zone)
        # a member's terms on a day, read once per chunk (the same member object, the same day)
        known = (item.member.pk if item.member is not None else None, on)
        if known not in terms_of:
            terms_of[known] = member_terms(organization, base, settings, item.member, on, calendar)
        terms, table, _tier = terms_of[known]
        key: _Key = (item.branch.pk, item.branch.code, on, table)
        codes.setdefault(key, set()).update(ln.sku for ln in basket.lines)
        todo.append((i, terms, key))
    products = {
        key: prices.basket_products(organization.pk, wanted, branch_id=key[0], branch_code=key[1], on=key[2],
                                    settings=settings, member_table=key[3])
        for key, wanted in codes.items()
    }
    for i, terms, key in todo:
        basket = items[i].basket
        lines = lines_sent(basket)
        try:
            try:
                priced = basket_price(lines, products[key], terms, open_lines=settings.open_lines)
            except PricingError as exc:
                raise DomainError(exc.code, str(exc), field=exc.field) from None
            taken = _priced_basket(basket, priced, lines)
            bill_discount_check(taken)
        except DomainError as exc:
            out[i] = exc
            continue
        out[i] = taken
    return _all(out)


def _all(out: list[engine.Basket | DomainError | None]) -> list[engine.Basket | DomainError]:
    assert all(o is not None for o in out)
    return [o for o in out if o is not None]
