"""The tier step of a chunk of day-end sales, set-based: the same decisions as
``tiering.tier_after_sale`` takes sale by sale, with a fixed number of statements per chunk.

``tier_after_sale`` counts, for each sale, the member's window (``earning_window``: from local
midnight some months back to the sale itself, inclusive) over the rows stored before it, this sale
left out and then added. Here the rows stored before the chunk are read once for all its members
(``_Window``): the part of the window every sale of the chunk shares summed in SQL per member, the
edges (between the earliest and the latest start, between the earliest and the latest sale) as
rows; the sales of the chunk are added in memory as they are planned, in document order, each
counted in the later windows it falls in. The measure is then ``tier_measures.measures``' own
arithmetic: points earned minus points taken back; or whole baht spent (the sum's whole part,
then the returns taken off).

The states are locked and read once (``tiers.bulk``), each member's tier is kept in memory (and on
the member object, for the next sale's pricing and earning context), and the moves are written
after the chunk's sales (``tiers.bulk.moves_write``), their events in document order after each
sale's ``sale.posted``. ``tiers/tests/test_bulk_chunk.py`` proves the rows equal to posting one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from sasom.core.audit import Actor
from sasom.ledger.models import Entry, Sale, SaleReturn
from sasom.ledger.plan import SalePlan
from sasom.tiers import bulk as tiers_bulk
from sasom.tiers import engine
from sasom.tiers.models import TierChange
from sasom.tiers.selectors import ladder_for

__all__ = ["ChunkTiers", "chunk_tiers"]

Number = int | Decimal


class _Window:
    """The rows stored before the chunk that may fall in some sale's window: per member, the sum
    of the part every window covers (``[latest start, earliest end)``) and the edge rows (time,
    value), for what is added (points earned, baht spent) and what is taken off."""

    def __init__(self, organization_id: int, ladder: engine.Ladder, member_ids: set[int],
                 windows: list[tuple[dt.datetime, dt.datetime]]) -> None:
        starts, ends = [w[0] for w in windows], [w[1] for w in windows]
        lo, mid_from, mid_to, hi = min(starts), max(starts), min(ends), max(ends)
        if mid_from >= mid_to:  # no part shared by every window: every row is an edge
            mid_from = mid_to = hi
        ids = sorted(member_ids)
        added: tuple[QuerySet[Any], str, str, str]
        taken: tuple[QuerySet[Any], str, str, str]
        if ladder.basis == "spend":
            added = (Sale.objects.filter(organization_id=organization_id, member_id__in=ids)
                     .exclude(status=Sale.Status.VOIDED), "member_id", "occurred_at", "net")
            taken = (SaleReturn.objects.filter(organization_id=organization_id, sale__member_id__in=ids)
                     .exclude(sale__status=Sale.Status.VOIDED), "sale__member_id", "sale__occurred_at", "returned_net")
        else:
            added = (Entry.objects.filter(organization_id=organization_id, account__member_id__in=ids,
                                          kind=Entry.Kind.EARN), "account__member_id", "occurred_at", "amount")
            taken = (Entry.objects.filter(organization_id=organization_id, account__member_id__in=ids, sign=-1,
                                          reverses__kind=Entry.Kind.EARN),
                     "account__member_id", "reverses__occurred_at", "amount")
        self.spend = ladder.basis == "spend"
        self.parts = [self._read(rows, member, at, value, lo, mid_from, mid_to, hi)
                      for rows, member, at, value in (added, taken)]

    @staticmethod
    def _read(rows: QuerySet[Any], member: str, at: str, value: str, lo: dt.datetime, mid_from: dt.datetime,
              mid_to: dt.datetime, hi: dt.datetime) -> tuple[dict[int, Number], dict[int, list[tuple[dt.datetime, Number]]]]:
        shared: dict[int, Number] = {}
        if mid_from < mid_to:
            middle = rows.filter(**{f"{at}__gte": mid_from, f"{at}__lt": mid_to})
            shared = {m: s or 0 for m, s in middle.values_list(member).annotate(s=Sum(value)).values_list(member, "s")}
        edges: dict[int, list[tuple[dt.datetime, Number]]] = defaultdict(list)
        edge = Q(**{f"{at}__gte": lo, f"{at}__lt": mid_from}) | Q(**{f"{at}__gte": mid_to, f"{at}__lte": hi})
        for m, when, v in rows.filter(edge).values_list(member, at, value):
            edges[m].append((when, v))
        return shared, edges

    def measure(self, member_id: int, window: tuple[dt.datetime, dt.datetime],
                chunk: Iterable[tuple[dt.datetime, Number]]) -> int:
        """``measures(..., end_inclusive=True)`` of this member and window, with the chunk's
        earlier sales (time, value) stored too."""
        sums: list[Number] = []
        for k, (shared, edges) in enumerate(self.parts):
            rows = edges.get(member_id, [])
            extra = chunk if k == 0 else ()
            total: Number = shared.get(member_id, 0)
            for when, v in (*rows, *extra):
                if window[0] <= when <= window[1]:
                    total += v
            sums.append(total)
        added, taken = sums
        if self.spend:
            return int(Decimal(int(added)) - taken)
        return int(added) - int(taken)


class ChunkTiers:
    """One chunk's tiers: the states locked, each member's tier as the chunk moved it, the moves."""

    def __init__(self, organization_id: int, ladder: engine.Ladder, members: list[Any],
                 occurred: list[tuple[int, dt.datetime]]) -> None:
        self.organization_id, self.ladder = organization_id, ladder
        self.objects: dict[int, list[Any]] = defaultdict(list)
        for member in members:
            self.objects[member.pk].append(member)
        self.states = tiers_bulk.states_locked(organization_id=organization_id, member_ids=self.objects)
        self.tier: dict[int, str] = {
            m: (r.tier.code if r.tier is not None else "") for m, r in self.states.items()}
        for m in self.objects:
            self.tier.setdefault(m, "")
        tiers_bulk.codes_set(members, self.tier)
        self.window = _Window(organization_id, ladder, set(self.objects),
                              [engine.earning_window(ladder, at, ladder.zone) for _m, at in occurred])
        self.stored: dict[int, list[tuple[dt.datetime, Number]]] = defaultdict(list)
        self.moves: list[tiers_bulk.ChunkMove] = []

    def current(self, member_id: int) -> str:
        return self.tier.get(member_id, "")

    def after_sale(self, key: int, plan: SalePlan, member_code: str) -> None:
        """``tier_after_sale`` for the chunk's sale ``key`` (planned, not written yet)."""
        row, ladder = plan.sale, self.ladder
        member_id = row.member_id
        if member_id is None:
            return
        this = int(row.net) if ladder.basis == "spend" else (plan.earn.amount if plan.earn else 0)
        value: Number = row.net if ladder.basis == "spend" else this
        earlier = list(self.stored[member_id])
        if ladder.basis == "spend" or plan.earn is not None:
            self.stored[member_id].append((row.occurred_at, value))
        current = (plan.sale.explanation.get("context") or {}).get("tier") or None
        if this <= 0 or ladder.rank(current) == len(ladder.tiers):
            return
        window = engine.earning_window(ladder, row.occurred_at, ladder.zone)
        measure = this + self.window.measure(member_id, window, earlier)
        today = row.occurred_at.astimezone(ladder.zone).date()
        if engine.on_earning(ladder, engine.State(tier=current), measure, today) is None:
            return
        move = engine.on_earning(ladder, engine.State(tier=self.current(member_id) or None), measure, today)
        if move is None:
            return
        self.moves.append(tiers_bulk.ChunkMove(key=key, member_id=member_id, member_code=member_code, move=move,
                                               measure=measure, window=window, on=today))
        self.tier[member_id] = move.to.code if move.to is not None else ""
        tiers_bulk.codes_set(self.objects[member_id], {member_id: self.tier[member_id]})

    def write(self, sale_ids: dict[int, int], actor: Actor) -> dict[int, list[tuple[tiers_bulk.ChunkMove, TierChange]]]:
        """The chunk's moves written (after its sales); key -> what to announce after that sale."""
        written = tiers_bulk.moves_write(organization_id=self.organization_id, ladder=self.ladder,
                                         states=self.states, moves=self.moves, sale_ids=sale_ids, actor=actor)
        out: dict[int, list[tuple[tiers_bulk.ChunkMove, TierChange]]] = defaultdict(list)
        for move, change in written:
            out[move.key].append((move, change))
        return out


def chunk_tiers(organization_id: int, members: list[Any], occurred: list[tuple[int, dt.datetime]]
                ) -> ChunkTiers | None:
    """The chunk's tier step (None without a ladder, or without a member in the chunk);
    ``occurred``: (member id, time) of each member sale. Call after the accounts are locked."""
    ladder = ladder_for(organization_id)
    if ladder is None or not members:
        return None
    return ChunkTiers(organization_id, ladder, members, occurred)
