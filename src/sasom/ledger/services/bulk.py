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
4. one write each of the sales, their lines, the earn entries and their lots (``bulk_rows``: a
   COPY per table on PostgreSQL, every row's values taken from its plan into the COPY buffer with
   no dict or model instance per row; rows of column values through ``bulk_create`` elsewhere),
   and one UPDATE of the accounts' balances and counters; the events in document order (each
   sale's ``sale.posted``, each entry with the balance it left, ``core.announce``), whether
   anybody wants them asked once per chunk.

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
from typing import Any, NamedTuple, cast

from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.events import POINTS_EARNED, SALE_POSTED, event_wanted
from sasom.earning import engine
from sasom.ledger.locking import lock_accounts
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.plan import SalePlan, body_hash
from sasom.ledger.policy import settings_of
from sasom.ledger.services import core
from sasom.ledger.services.bulk_rows import (
    Row,
    copy_earns,
    copy_lines,
    copy_sales,
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


class _Planned(NamedTuple):
    """One planned sale of the chunk: the item's place, its plan, the item, the member's account
    (None without a member) and, when it earned, the account's (spendable, pending, debt) as its
    earn entry left them (for the entry's ``points.earned`` payload)."""

    at: int  # the item's place in ``items``
    plan: SalePlan
    item: BulkSale
    account_id: int | None
    balance: tuple[int, int, int] | None


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

        planned: list[_Planned] = []
        touched: dict[int, PointAccount] = {}
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
            outcomes[i].created, outcomes[i].points_earned = True, plan.sale.points_earned
            if tiers is not None and member is not None:
                tiers.after_sale(len(planned), plan, member.code)
            balance = None
            if account is not None:
                _apply(account, plan)  # the next sale of this member in the chunk sees this one
                touched[account.pk] = account
                if plan.earn is not None:  # the balances as this sale's earn entry left them
                    balance = (account.spendable, account.pending, account.debt)
            planned.append(_Planned(i, plan, item, account.pk if account is not None else None, balance))

        sale_ids, entry_ids = _insert(planned)
        tier_moves = tiers.write(dict(enumerate(sale_ids)), actor) if tiers is not None else {}
        uses_write([(p.plan, sale_ids[s]) for s, p in enumerate(planned)])
        if touched:
            changed_at = timezone.now()
            for account in touched.values():
                account.updated_at = changed_at
            fields = ["spendable", "pending", "debt", "lifetime_earned", "sale_count", "updated_at"]
            update_from_values(PointAccount, fields, [
                (a.pk, *(getattr(a, f) for f in fields)) for a in touched.values()
            ])
        _announce(organization.pk, planned, sale_ids, entry_ids, tier_moves)
    for p, sale_id in zip(planned, sale_ids, strict=True):
        outcomes[p.at].sale_id = sale_id
    for outcome in outcomes:
        if "replay_of" in outcome.extra:
            first = outcomes[outcome.extra["replay_of"]]
            outcome.sale_id, outcome.points_earned = first.sale_id, first.points_earned
    return outcomes


def _announce(organization_id: int, planned: list[_Planned], sale_ids: list[int], entry_ids: dict[int, int],
              tier_moves: dict[int, list[tuple[tiers_bulk.ChunkMove, Any]]]) -> None:
    """The chunk's events in document order, as ``sale_post`` one by one records them: each sale's
    ``sale.posted``, its tier moves, its earn entry with the balance it left. Whether anybody wants
    each kind is asked once for the chunk: an organization without subscribers builds no entry
    object and no payload (``event_record`` would write nothing for them). ``sale_announce``'s
    own tier step is never needed here: the chunk's tiers moved set-based (``chunk_tiers``), and
    without a ladder, or without a member in the chunk, that step does nothing."""
    sale_wanted = event_wanted(organization_id, SALE_POSTED)
    earn_wanted = bool(entry_ids) and event_wanted(organization_id, POINTS_EARNED)
    if not (sale_wanted or earn_wanted or tier_moves):
        return
    for s, p in enumerate(planned):
        item = p.item
        if sale_wanted:
            sale_announce(p.plan, sale_id=sale_ids[s], branch_code=item.branch.code,
                          terminal_code=item.terminal.code,
                          member_code=item.member.code if item.member is not None else None, tier_step=False)
        for move, change in tier_moves.get(s, ()):  # where ``sale_announce``'s tier step records them
            tiers_bulk.change_announce(organization_id, move, change)
        if earn_wanted and s in entry_ids:
            assert p.account_id is not None and p.balance is not None
            entry, _lot = earn_rows(p.plan, p.account_id)
            spendable, pending, debt = p.balance
            # the balance as this entry left it, as ``core.credit`` announces it
            core.announce(Entry(**(entry | {"id": entry_ids[s], "sale_id": sale_ids[s]})),
                          _BalancesAfter(member_id=item.member.pk if item.member else 0, spendable=spendable,
                                         pending=pending, debt=debt))


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


def _insert(planned: list[_Planned]) -> tuple[list[int], dict[int, int]]:
    """The chunk's rows, one statement per table: on PostgreSQL the sales' and entries' ids drawn
    from their sequences first (one query each), then one COPY each of the sales, lines, entries
    and lots, every row's values taken from its plan into the COPY buffer (``bulk_rows``);
    elsewhere ``bulk_create`` of rows built as column values, which gives back the new ids.
    Returns the sales' ids (in ``planned``'s order) and the earn entries' ids by sale index."""
    if not planned:
        return [], {}
    earned = [s for s, p in enumerate(planned) if p.plan.earn is not None and p.account_id is not None]
    if connection.vendor == "postgresql":
        sale_ids = take_ids(Sale, len(planned))
        entry_ids = dict(zip(earned, take_ids(Entry, len(earned)), strict=True))
        copy_sales((p.plan, sale_id, p.account_id) for p, sale_id in zip(planned, sale_ids, strict=True))
        copy_lines((p.plan, sale_id) for p, sale_id in zip(planned, sale_ids, strict=True))
        copy_earns([(planned[s].plan, entry_id, sale_ids[s], cast(int, planned[s].account_id))
                    for s, entry_id in entry_ids.items()])
        return sale_ids, entry_ids
    sales = [sale_row(p.plan, p.account_id) for p in planned]
    _created(Sale, sales)
    sale_ids = [row["id"] for row in sales]
    lines = [line | {"sale_id": sale_id} for p, sale_id in zip(planned, sale_ids, strict=True)
             for line in line_rows(p.plan)]
    SaleLine.objects.bulk_create([SaleLine(**row) for row in lines], batch_size=BULK_BATCH_SIZE)
    pairs = [earn_rows(planned[s].plan, cast(int, planned[s].account_id)) for s in earned]
    entries = [entry | {"sale_id": sale_ids[s]} for s, (entry, _lot) in zip(earned, pairs, strict=True)]
    _created(Entry, entries)
    lots = [lot | {"entry_id": entry["id"]} for entry, (_e, lot) in zip(entries, pairs, strict=True) if lot is not None]
    Lot.objects.bulk_create([Lot(**row) for row in lots], batch_size=BULK_BATCH_SIZE)
    return sale_ids, {s: entry["id"] for s, entry in zip(earned, entries, strict=True)}


def _created(model: type[Model], rows: list[Row]) -> None:
    """``bulk_create`` of ``rows`` (SQLite), each row given the id it got."""
    objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BULK_BATCH_SIZE)
    for row, obj in zip(rows, objs, strict=True):
        row["id"] = obj.pk
