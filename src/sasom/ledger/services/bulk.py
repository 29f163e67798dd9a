"""Posting many plain sales at once (day-end batches), set-based per chunk.

:func:`sales_post_bulk` stores exactly the rows that :func:`sasom.ledger.services.sales.sale_post`
would store posting the same documents one after the other (``ledger/tests/test_bulk.py`` posts
the same documents both ways and compares every row), in a fixed number of statements per chunk:

1. the receipts of the chunk already stored (one query on the unique receipt key): the same body
   again is a replay (nothing posted), another body is ``receipt_conflict``;
2. the members' accounts: the missing ones created in one ``INSERT ... ON CONFLICT DO NOTHING``,
   then all of them locked in primary-key order in one ``SELECT ... FOR UPDATE``
   (:func:`sasom.ledger.locking.lock_accounts`);
3. the earning engine in Python per document, in document order, each account's state carried
   in memory (a member's second sale in the chunk sees the first one's ``sale_count``, debt and
   balances exactly as sequential posting would);
4. one write each of the sales, their lines, the earn entries and their lots, their rows built
   straight from the plans as column values (``bulk_rows``; a COPY per table on PostgreSQL, the
   lines' values taken from the plans into the COPY buffer with no dict per line; a multi-row
   INSERT elsewhere), and one UPDATE of the accounts' balances and counters; each entry
   announced to webhook subscribers with the balance it left (``core.announce``), in document order.

Only plain sales take this path: no points paid with, no coupons, and a member without a referrer
(a referral award locks a second account: :func:`needs_single_post` names the documents the
caller posts with ``sale_post``). The caller holds the transaction.

POS promotions: a plan's promotion uses (``SalePlan.promotion_uses``) are stored as they are, through
the same hook as the ORM writer (``promotion_uses.uses_write``), **without checking the promotions'
budgets or per-member limits** and without their row locks: that check belongs to the caller, as
``checkout.promo_commit`` does under the promotions' locks before the ORM writer. The bulk writer's
one caller, day-end batches (``checkout.batch``), runs no promotions (it prices with
``batch=True``; ``checkout/tests/test_batch_pricing.py`` proves a batch stores no use), so nothing
unchecked is stored today; the writers' equality test still sends promoted plans through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.ledger.locking import lock_accounts
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.plan import SalePlan, body_hash
from sasom.ledger.policy import settings_of
from sasom.ledger.services import core
from sasom.ledger.services.bulk_rows import (
    Row,
    copy_lines,
    copy_rows,
    earn_rows,
    line_rows,
    sale_row,
    take_ids,
)
from sasom.ledger.services.bulk_tiers import chunk_tiers
from sasom.ledger.services.bulk_update import BULK_BATCH_SIZE, update_from_values
from sasom.ledger.services.promotion_uses import uses_write
from sasom.ledger.services.sales import (
    plan_of,
    receipt_conflict,
    rules_of,
    sale_announce,
    sale_validate,
)
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Terminal
from sasom.tiers import bulk as tiers_bulk

__all__ = ["BulkOutcome", "BulkSale", "needs_single_post", "sales_post_bulk", "update_from_values"]


@dataclass
class BulkSale:
    """One document to post: where, which receipt, the basket, the member (or None)."""

    branch: Branch
    terminal: Terminal
    receipt_id: str
    basket: engine.Basket
    member: Member | None = None
    sent: engine.Basket | None = None  # the basket as sent, when ``basket`` is priced (for ``reprice``)
    priced_tier: str | None = None  # the member's tier code the basket was priced with


@dataclass
class BulkOutcome:
    """What happened to one document: posted (``created``), a replay of a stored receipt, or an
    ``error`` (nothing stored for it)."""

    sale_id: int | None = None
    created: bool = False
    points_earned: int = 0
    error: DomainError | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _BalancesAfter:
    """An account's balances as one entry of the chunk left them (``core.Balances``)."""

    member_id: int
    spendable: int
    pending: int
    debt: int


def needs_single_post(item: BulkSale) -> bool:
    """Documents the bulk path leaves to ``sale_post``: a member with a referrer (a referral award
    would lock and credit a second account)."""
    member = item.member
    return member is not None and member.referred_by_id is not None and member.referred_by_id != member.pk


def _account_ids(organization_id: int, member_ids: set[int]) -> dict[int, int]:
    """member id -> account id, creating the missing accounts in one statement."""
    found = dict(
        PointAccount.objects.filter(organization_id=organization_id, member_id__in=member_ids)
        .values_list("member_id", "id")
    )
    missing = member_ids - set(found)
    if missing:
        PointAccount.objects.bulk_create(
            [PointAccount(organization_id=organization_id, member_id=m) for m in sorted(missing)],
            ignore_conflicts=True,
        )
        found.update(
            PointAccount.objects.filter(organization_id=organization_id, member_id__in=missing)
            .values_list("member_id", "id")
        )
    return found


def sales_post_bulk(
    *, organization: Organization, items: list[BulkSale], actor: Actor, now: dt.datetime | None = None,
    reprice: Callable[[BulkSale], engine.Basket | DomainError] | None = None,
) -> list[BulkOutcome]:
    """Post ``items`` (in their order) as :func:`sale_post` would one by one; one outcome per item.

    With a tier ladder, the chunk's tiers move set-based (``bulk_tiers``): a member's sale after an
    upgrade in the same chunk is planned with the new tier, and, when its basket was priced with
    another tier (``priced_tier``), priced again first by ``reprice`` (the caller's pricing of
    ``sent``), as the till would price it after the upgrade.

    Raises nothing for a bad document (its outcome carries the ``DomainError``); an
    ``IntegrityError`` (another run stored one of these receipts meanwhile) rolls the whole chunk
    back, and the caller may post the chunk document by document.
    """
    now = now or timezone.now()
    outcomes = [BulkOutcome() for _ in items]
    hashes: list[str | None] = [None] * len(items)
    for i, item in enumerate(items):
        item.receipt_id = (item.receipt_id or "").strip()
        if needs_single_post(item):
            raise ValueError("a member with a referrer is posted by sale_post (see needs_single_post)")
        try:
            sale_validate(organization, item.branch, item.terminal, item.receipt_id, item.basket, item.member, 0)
            hashes[i] = body_hash(item.basket, item.member.pk if item.member else None, 0)
        except DomainError as exc:
            outcomes[i].error = exc

    with transaction.atomic():
        todo = _drop_replays(organization, items, hashes, outcomes)
        member_ids = {member.pk for i in todo if (member := items[i].member) is not None}
        by_member = _account_ids(organization.pk, member_ids) if member_ids else {}
        accounts = lock_accounts(by_member.values())
        settings = settings_of(next(iter(accounts.values())).organization) if accounts else None
        ruleset = rules_of(organization.pk)
        buyers = [(i, member) for i in todo if (member := items[i].member) is not None]
        tiers = chunk_tiers(organization.pk, [m for _i, m in buyers],
                            [(m.pk, items[i].basket.occurred_at) for i, m in buyers])

        sales: list[Row] = []
        lines_of: list[SalePlan] = []  # the plans whose lines the chunk writes
        planned: list[tuple[SalePlan, BulkSale]] = []
        earns: list[tuple[int, Row, Row | None, dict[str, int]]] = []  # (sale index, entry, lot, balance)
        touched: dict[int, PointAccount] = {}
        posted: list[int] = []
        for i in todo:
            item = items[i]
            member = item.member
            account = accounts[by_member[member.pk]] if member is not None else None
            if (tiers is not None and member is not None and reprice is not None and item.sent is not None
                    and item.priced_tier is not None and tiers.current(member.pk) != item.priced_tier):
                again = reprice(item)  # the tier moved since the basket was priced
                if isinstance(again, DomainError):
                    outcomes[i].error = again
                    continue
                item.basket, item.priced_tier = again, tiers.current(member.pk)
                hashes[i] = body_hash(item.basket, member.pk, 0)
            hashed = hashes[i]
            assert hashed is not None
            plan, _result = plan_of(
                organization=organization, branch=item.branch, terminal=item.terminal, receipt_id=item.receipt_id,
                basket=item.basket, member=member, account=account, settings=settings, actor=actor, now=now,
                hashed=hashed, ruleset=ruleset,
            )
            sales.append(sale_row(plan, account.pk if account is not None else None))
            lines_of.append(plan)
            planned.append((plan, item))
            posted.append(i)
            outcomes[i].created, outcomes[i].points_earned = True, plan.sale.points_earned
            if tiers is not None and member is not None:
                tiers.after_sale(len(sales) - 1, plan, member.code)
            if account is None:
                continue
            _apply(account, plan)  # the next sale of this member in the chunk sees this one
            if plan.earn is not None:
                entry, lot = earn_rows(plan, account.pk)
                earns.append((len(sales) - 1, entry, lot,
                              {"spendable": account.spendable, "pending": account.pending, "debt": account.debt}))
            touched[account.pk] = account

        _insert(sales, lines_of, earns)
        tier_moves = tiers.write({s: row["id"] for s, row in enumerate(sales)}, actor) if tiers is not None else {}
        uses_write([(plan, sales[s]["id"]) for s, (plan, _item) in enumerate(planned)])
        if touched:
            changed_at = timezone.now()
            for account in touched.values():
                account.updated_at = changed_at
            fields = ["spendable", "pending", "debt", "lifetime_earned", "sale_count", "updated_at"]
            update_from_values(PointAccount, fields, [
                (a.pk, *(getattr(a, f) for f in fields)) for a in touched.values()
            ])
        earn_of = {s: (entry, balance) for s, entry, _lot, balance in earns}
        for s, (plan, item) in enumerate(planned):  # in document order, as sale_post one by one
            sale_announce(plan, sale_id=sales[s]["id"], branch_code=item.branch.code, terminal_code=item.terminal.code,
                          member_code=item.member.code if item.member is not None else None,
                          tier_step=tiers is None)
            for move, change in tier_moves.get(s, ()):  # where ``sale_announce``'s tier step records them
                tiers_bulk.change_announce(organization.pk, move, change)
            if s in earn_of:
                entry, balance = earn_of[s]
                # the balance as this entry left it, as ``core.credit`` announces it
                core.announce(Entry(**entry), _BalancesAfter(member_id=item.member.pk if item.member else 0, **balance))
    for i, sale in zip(posted, sales, strict=True):
        outcomes[i].sale_id = sale["id"]
    for outcome in outcomes:
        if "replay_of" in outcome.extra:
            first = outcomes[outcome.extra["replay_of"]]
            outcome.sale_id, outcome.points_earned = first.sale_id, first.points_earned
    return outcomes


def _drop_replays(organization: Organization, items: list[BulkSale], hashes: list[str | None], outcomes: list[BulkOutcome]) -> list[int]:
    """The indexes of the items to post: receipts stored before (or earlier in this chunk) are
    replays when the body is the same and ``receipt_conflict`` otherwise."""
    wanted = [i for i, h in enumerate(hashes) if h is not None]
    # one query, each condition a range of the unique key (organization, branch, terminal, receipt)
    places: dict[tuple[int, int], set[str]] = {}
    for i in wanted:
        places.setdefault((items[i].branch.pk, items[i].terminal.pk), set()).add(items[i].receipt_id)
    where = Q()
    for (branch_id, terminal_id), receipts in places.items():
        where |= Q(branch_id=branch_id, terminal_id=terminal_id, receipt_id__in=receipts)
    stored: dict[tuple[int, int, str], tuple[int, str, int]] = {
        (b, t, r): (pk, h, p)
        for pk, b, t, r, h, p in Sale.objects.filter(where, organization=organization)
        .values_list("pk", "branch_id", "terminal_id", "receipt_id", "body_hash", "points_earned")
    } if places else {}
    todo: list[int] = []
    first_in_chunk: dict[tuple[int, int, str], int] = {}
    for i in wanted:
        item = items[i]
        key = (item.branch.pk, item.terminal.pk, item.receipt_id)
        if key in stored:
            pk, body_hash, points = stored[key]
            if body_hash != hashes[i]:
                outcomes[i].error = receipt_conflict()
            else:
                outcomes[i].sale_id, outcomes[i].points_earned = pk, points
            continue
        if key in first_in_chunk:
            j = first_in_chunk[key]
            if hashes[j] != hashes[i]:
                outcomes[i].error = receipt_conflict()
            else:
                outcomes[i].extra["replay_of"] = j
            continue
        first_in_chunk[key] = i
        todo.append(i)
    return todo


def _apply(account: PointAccount, plan: SalePlan) -> None:
    """The plan's account delta, in memory (one UPDATE of all the chunk's accounts follows)."""
    account.spendable += plan.delta.spendable
    account.pending += plan.delta.pending
    account.debt += plan.delta.debt
    account.lifetime_earned += plan.delta.lifetime_earned
    account.sale_count += plan.delta.sale_count


def _insert(sales: list[Row], lines_of: list[SalePlan], earns: list[tuple[int, Row, Row | None, dict[str, int]]]
            ) -> None:
    """The chunk's rows, one statement per table: on PostgreSQL one COPY each, the sales' and
    entries' ids drawn from their sequences first (one query each); elsewhere ``bulk_create``,
    which gives back the new ids. Each row gets its ``id``; lines, entries and lots their parents'."""
    if not sales:
        return
    entries = [entry for _s, entry, _lot, _b in earns]
    pg = connection.vendor == "postgresql"
    if pg:
        for row, pk in zip(sales, take_ids(Sale, len(sales)), strict=True):
            row["id"] = pk
        for row, pk in zip(entries, take_ids(Entry, len(entries)), strict=True):
            row["id"] = pk
    else:
        _created(Sale, sales)
    for s, entry, _lot, _b in earns:
        entry["sale_id"] = sales[s]["id"]
    if not pg:
        lines = [line | {"sale_id": sale["id"]} for sale, plan in zip(sales, lines_of, strict=True)
                 for line in line_rows(plan)]
        SaleLine.objects.bulk_create([SaleLine(**row) for row in lines], batch_size=BULK_BATCH_SIZE)
        _created(Entry, entries)
    lots = [lot | {"entry_id": entry["id"]} for _s, entry, lot, _b in earns if lot is not None]
    if pg:
        copy_rows(Sale, sales)
        copy_lines((plan, sale["id"]) for sale, plan in zip(sales, lines_of, strict=True))
        for model, rows in ((Entry, entries), (Lot, lots)):
            copy_rows(model, rows)
    else:
        Lot.objects.bulk_create([Lot(**row) for row in lots], batch_size=BULK_BATCH_SIZE)


def _created(model: type[Model], rows: list[Row]) -> None:
    """``bulk_create`` of ``rows`` (SQLite), each row given the id it got."""
    objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BULK_BATCH_SIZE)
    for row, obj in zip(rows, objs, strict=True):
        row["id"] = obj.pk
