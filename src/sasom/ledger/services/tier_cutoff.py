"""A tier cut-off, decided in SQL from the compiled ladder (docs/tiers.md, "Cut-offs";
docs/decisions/0005-tiers-evaluation.md).

The pure engine (``tiers.engine.at_cutoff``) is the specification; for a points ladder this module
compiles it into one statement per chunk of tier states: the window's points (earned, minus what
returns, voids and reversals took back), the tier they reach (a ``CASE`` over the thresholds), the
drop (to the tier reached, or one step), the hand-set floor while it lasts, and then the states
that drop updated and their history rows inserted. PostgreSQL does all of it in one
data-modifying statement; SQLite in two (the history rows, then the states they name). No member
passes through Python, unless somebody listens to ``member.tier_changed`` (then each change is
read back and announced, as before: the event stream runs its handlers in-process, one event at a
time). A spend ladder (baht, net of returns) is decided by the engine, chunk by chunk.

Progress: a ``tiers.CutoffRun`` row per (organization, ladder, day). Each chunk locks it, goes on
after its ``cursor`` and commits the new cursor with its changes; when no chunk is left it is
finished, and a rerun of that cut-off returns at once, moving nobody. ``TierChange.run_key``'s
unique key is the last guard: a chunk that would move a member twice in one cut-off fails.

Lock order (PostgreSQL), the same as a sale's: the run row, then the chunk's accounts (``FOR
SHARE``, by key, as ``ledger.locking.lock_accounts``), then its tier states (by key), in one
statement before the deciding one, whose snapshot therefore holds every sale that moved them. A sale locks its accounts (by key), then the tier states it moves (buyer and
referrer together, by key: ``tiers.services.member_tiers_lock``); nothing locks a tier state and
then an account. So a sale and a chunk never wait for each other in a circle, a sale under way
is counted by the chunk that waited for it, and a sale of a chunk's member waits at most the
chunk's time (about 0.3 s for 2,000 states on 2 busy cores, bench B10).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.events import MEMBER_TIER_CHANGED, event_record, event_wanted
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.services.tier_measures import measures
from sasom.members.models import Member
from sasom.tiers import engine
from sasom.tiers.models import CutoffRun, MemberTier, TierChange
from sasom.tiers.selectors import ladder_compile, state_of
from sasom.tiers.services import Why, member_tier_moves

CHUNK = 2000
ACTOR = Actor.system("tiers")

__all__ = ["CHUNK", "tiers_cutoff_run"]


def tiers_cutoff_run(*, organization_id: int, on_date: dt.date, by_engine: bool = False) -> dict[str, int]:
    """The cut-off of day ``on_date`` for a ladder that downgrades at cut-offs: members whose points
    in the window ending that day are below their tier drop (to the tier reached, or one step),
    never below a hand-set floor. Nothing on a day that is not a cut-off. Returns what this call
    checked and moved: a finished cut-off run again checks and moves nobody. ``by_engine``: decide
    each member with the Python engine (the specification; always so for a spend ladder)."""
    ladder = ladder_compile(organization_id)
    counts = {"checked": 0, "moved": 0}
    if ladder is None or ladder.downgrade != "cutoff" or not engine.is_cutoff(ladder.cutoff_frequency, on_date, ladder.calendar):
        return counts
    run, _created = CutoffRun.objects.get_or_create(organization_id=organization_id, ladder_id=ladder.id,
                                                    on_date=on_date, defaults={"started_at": timezone.now()})
    if run.finished_at is not None:
        return counts
    cut = _Cutoff(organization_id, ladder, on_date)
    decide = cut.by_engine if by_engine or ladder.basis != "points" else cut.by_sql
    while True:
        with transaction.atomic():
            run = CutoffRun.objects.select_for_update().get(pk=run.pk)
            if run.finished_at is not None:
                return counts
            checked, last = _lock_chunk(organization_id, run.cursor)
            if not checked:
                CutoffRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
                return counts
            moved = decide(run.cursor, last)
            CutoffRun.objects.filter(pk=run.pk).update(cursor=last, checked=run.checked + checked,
                                                       moved=run.moved + moved)
            counts["checked"] += checked
            counts["moved"] += moved


def _lock_chunk(organization_id: int, after: int) -> tuple[int, int]:
    """The next ``CHUNK`` states with a tier after pk ``after``: (how many, the last pk). On
    PostgreSQL their members' accounts are locked first (``FOR SHARE``, in primary-key order, as
    ``ledger.locking`` locks accounts for a sale), so no sale of theirs is half-way while the chunk
    is decided and none commits before the chunk does: the decision, a statement started after
    this one, counts every sale that was under way. Then the states, by key (SQLite locks the
    database instead)."""
    S, A = MemberTier._meta.db_table, PointAccount._meta.db_table
    chunk = (f"SELECT id, member_id FROM {S} WHERE organization_id = %s AND COALESCE(tier_id, 0) <> 0 AND id > %s "
             f"ORDER BY id LIMIT %s")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # ``member_id = ANY(ARRAY(...))``: probes of the (organization, member) key, never a scan
            # of the organization's accounts
            # then the states, in a statement before the one that measures: a sale that moved one
            # (its account created by that very sale, so not locked above) has committed by the
            # time the lock is granted, and the measuring statement's snapshot holds its points.
            # Locked only there, a state would be read as the sale left it but measured without the
            # sale (one statement, one snapshot): a member just raised to Gold dropped to nothing
            cur.execute(f"WITH c AS MATERIALIZED ({chunk}), l AS MATERIALIZED (SELECT a.id FROM {A} a "
                        f"WHERE a.organization_id = %s AND a.member_id = ANY(ARRAY(SELECT member_id FROM c)) "
                        f"ORDER BY a.id FOR SHARE), s AS (SELECT s.id FROM {S} s WHERE s.id = ANY(ARRAY(SELECT id FROM c)) "
                        f"AND (SELECT COUNT(*) FROM l) >= 0 ORDER BY s.id FOR UPDATE) "
                        f"SELECT (SELECT COUNT(*) FROM c), (SELECT MAX(id) FROM c), (SELECT COUNT(*) FROM s)",
                        [organization_id, after, CHUNK, organization_id])
        else:
            cur.execute(f"SELECT COUNT(*), MAX(x.id) FROM ({chunk}) x", [organization_id, after, CHUNK])
        count, last = cur.fetchone()[:2]
    return int(count or 0), int(last or 0)


def _case(expr: str, pairs: list[tuple[Any, Any]], default: str, params: list[Any]) -> str:
    """``CASE expr WHEN k THEN v ... ELSE default END``, its keys and values as parameters."""
    if not pairs:
        return default
    params.extend(x for pair in pairs for x in pair)
    return f"CASE {expr} {' '.join(['WHEN %s THEN %s'] * len(pairs))} ELSE {default} END"


class _Cutoff:
    """One cut-off's compiled form: the window, the run key, the ladder's CASEs."""

    def __init__(self, organization_id: int, ladder: engine.Ladder, on_date: dt.date) -> None:
        self.org, self.ladder, self.on = organization_id, ladder, on_date
        self.window = engine.cutoff_window(ladder, on_date, ladder.zone)
        self.run_key = f"cutoff:{on_date.isoformat()}"
        self.detail = f"cutoff:{ladder.cutoff_frequency}"
        self.effective = on_date + dt.timedelta(days=1)

    # ---------------------------------------------------------------- the specification

    def by_engine(self, after: int, last: int) -> int:
        rows = list(MemberTier.objects.filter(organization_id=self.org, tier__isnull=False, pk__gt=after,
                                              pk__lte=last).select_related("tier", "floor_tier").order_by("pk"))
        ids = [r.member_id for r in rows]
        done = set(TierChange.objects.filter(organization_id=self.org, run_key=self.run_key, member_id__in=ids)
                   .values_list("member_id", flat=True))
        got = measures(organization_id=self.org, ladder=self.ladder, member_ids=ids, start=self.window[0],
                       end=self.window[1])
        moves = []
        for r in rows:
            move = None if r.member_id in done else engine.at_cutoff(self.ladder, state_of(r), got[r.member_id],
                                                                      self.on)
            if move is not None:
                why = Why(reason="downgrade", detail=self.detail, measure=got[r.member_id], window=self.window,
                          run_key=self.run_key)
                moves.append((r, move, why, self.effective))
        return member_tier_moves(organization_id=self.org, ladder=self.ladder, moves=moves, actor=ACTOR,
                                 codes=lambda ids: dict(Member.objects.filter(organization_id=self.org, pk__in=ids)
                                                        .values_list("pk", "code")))

    # ---------------------------------------------------------------- the same in SQL

    def _decided(self, after: int, last: int, params: list[Any]) -> str:
        """The CTEs ending in ``decided``: each state of the chunk, with its window's points ``pts``, its rank ``cur``, the rank the points reach ``hit``, its
        floor ``fl`` and the rank it ends at ``dest`` (ranks 1.. from the lowest tier, 0 none)."""
        ops, tiers = connection.ops, self.ladder.tiers
        S, E, A = (m._meta.db_table for m in (MemberTier, Entry, PointAccount))
        start, end = (ops.adapt_datetimefield_value(w) for w in self.window)
        rank_of = [(t.id, i + 1) for i, t in enumerate(tiers)]
        params += [self.org, after, last]
        # ``COALESCE(tier_id, 0) <> 0``: "has a tier" in a form no index serves, so the chunk is read
        # by its key range, not by a scan of the organization's whole tier index
        # the states were locked by ``_lock_chunk`` (PostgreSQL), after their accounts, in a
        # statement before this one: read here as the last change left them, with its points
        chunk = (f"chunk AS MATERIALIZED (SELECT id, member_id, tier_id, floor_tier_id, floor_until FROM {S} "
                 f"WHERE organization_id = %s AND COALESCE(tier_id, 0) <> 0 AND id > %s AND id <= %s)")
        # per member, through the index on (account, occurred_at): scalar subqueries, which the
        # planners keep as such (a join over the organization's entries grows with the
        # organization, not the chunk). No "already moved by this cut-off" probe: the run's cursor
        # says which chunks are done; the history's unique run key fails a chunk rather than move
        # a member twice (a probe by organization, with the history's statistics stale, scanned
        # the organization's whole history for every state)
        # the account too is a probe per state (a join let the planner hash the organization's
        # accounts for every chunk: most of a chunk's time at 200,000 members)
        params.append(self.org)
        accounts = (f"accounts AS MATERIALIZED (SELECT c.*, (SELECT a.id FROM {A} a WHERE a.organization_id = %s "
                    f"AND a.member_id = c.member_id) AS account_id FROM chunk c)")
        params += [Entry.Kind.EARN, start, end, Entry.Kind.EARN, start, end]
        cur = _case("c.tier_id", rank_of, "0", params)
        params.append(ops.adapt_datefield_value(self.on))
        floor = _case("c.floor_tier_id", rank_of, "0", params)
        floor = f"CASE WHEN c.floor_until IS NULL OR c.floor_until >= %s THEN {floor} ELSE 0 END"
        measured = (f"measured AS MATERIALIZED (SELECT c.id, c.member_id, "
                    f"COALESCE((SELECT SUM(e.amount) FROM {E} e WHERE e.account_id = c.account_id AND e.kind = %s "
                    f"AND e.occurred_at >= %s AND e.occurred_at < %s), 0) - "
                    f"COALESCE((SELECT SUM(e.amount) FROM {E} e JOIN {E} r ON r.id = e.reverses_id "
                    f"WHERE e.account_id = c.account_id AND e.sign = -1 AND r.kind = %s AND r.occurred_at >= %s "
                    f"AND r.occurred_at < %s), 0) AS pts, {cur} AS cur, {floor} AS fl FROM accounts c)")
        params.extend(x for t in reversed(tiers) for x in (t.threshold, self.ladder.rank(t.code)))
        hit = f"CASE {' '.join(['WHEN m.pts >= %s THEN %s'] * len(tiers))} ELSE 0 END"
        reached = f"reached AS (SELECT m.*, {hit} AS hit FROM measured m)"
        step = "r.cur - 1" if self.ladder.drop_mode == "one_step" else "r.hit"
        decided = (f"decided AS (SELECT r.*, CASE WHEN r.cur = 0 THEN 0 WHEN r.hit >= r.cur THEN r.cur "
                   f"WHEN {step} > r.fl THEN {step} ELSE r.fl END AS dest FROM reached r)")
        return f"WITH {chunk}, {accounts}, {measured}, {reached}, {decided}"

    def _history(self, source: str, now: dt.datetime, params: list[Any]) -> str:
        """``INSERT`` of the history rows of ``source`` (rows with member_id, pts, cur, dest)."""
        ops, tiers = connection.ops, self.ladder.tiers
        names = ("from_code", "from_name", "to_code", "to_name")
        exprs = []
        for column, field in zip(names, ("code", "name", "code", "name"), strict=True):
            rank = "s.cur" if column.startswith("from") else "s.dest"
            exprs.append(_case(rank, [(i + 1, getattr(t, field)) for i, t in enumerate(tiers)], "''", params))
        start, end = (ops.adapt_datetimefield_value(w) for w in self.window)
        params += [self.org, "downgrade", self.detail, start, end, ops.adapt_datefield_value(self.effective),
                   ops.adapt_datetimefield_value(now), self.run_key, ACTOR.label]
        C = TierChange._meta.db_table
        return (f"INSERT INTO {C} (member_id, {', '.join(names)}, organization_id, reason, detail, measure, "
                f"window_from, window_to, effective_on, changed_at, run_key, note, actor_label) "
                f"SELECT s.member_id, {', '.join(exprs)}, %s, %s, %s, s.pts, %s, %s, %s, %s, %s, '', %s FROM {source}")

    def by_sql(self, after: int, last: int) -> int:
        now = timezone.now()
        ops = connection.ops
        moves = "(d.cur = 0 OR d.dest < d.cur)"
        params: list[Any] = []
        to_id = _case("{rank}", [(i + 1, t.id) for i, t in enumerate(self.ladder.tiers)], "NULL", params)
        S = MemberTier._meta.db_table
        common = [ops.adapt_datefield_value(self.effective), ops.adapt_datetimefield_value(now)]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                sql_params: list[Any] = []
                head = self._decided(after, last, sql_params)
                sql_params += [*params, *common]
                # joined by key only: the chunk's decisions drive an index probe per state (a range
                # on ``s`` too made the planner take ``s`` as the small side and rescan the
                # decisions for each state, quadratic in the chunk)
                moved = (f"moved AS (UPDATE {S} s SET tier_id = {to_id.format(rank='d.dest')}, reached_on = %s, "
                         f"expires_on = NULL, updated_at = %s FROM decided d WHERE s.id = d.id AND {moves} "
                         f"RETURNING d.member_id, d.pts, d.cur, d.dest)")
                insert = self._history("moved s", now, sql_params)
                cur.execute(f"{head}, {moved} {insert}", sql_params)
                count = int(cur.rowcount)
            else:
                sql_params = []
                head = self._decided(after, last, sql_params)
                insert = self._history(f"decided s WHERE {moves.replace('d.', 's.')}", now, sql_params)
                cur.execute(f"{head} {insert}", sql_params)
                cur.execute("SELECT changes()")  # the driver counts no rows for a statement opening with WITH
                count = int(cur.fetchone()[0])
                C = TierChange._meta.db_table
                cur.execute(
                    f"UPDATE {S} SET tier_id = {to_id.format(rank='c.to_code')}, reached_on = %s, expires_on = NULL, "
                    f"updated_at = %s FROM {C} c WHERE c.organization_id = %s AND c.member_id = {S}.member_id "
                    f"AND c.run_key = %s AND c.changed_at = %s AND {S}.organization_id = %s AND {S}.id > %s "
                    f"AND {S}.id <= %s",
                    [*self._to_id_by_code(), *common, self.org, self.run_key, common[1], self.org, after, last])
        if count and event_wanted(self.org, MEMBER_TIER_CHANGED):
            self._announce(after, last, now)
        return count

    def _to_id_by_code(self) -> list[Any]:
        return [x for t in self.ladder.tiers for x in (t.code, t.id)]

    def _announce(self, after: int, last: int, now: dt.datetime) -> None:
        """``member.tier_changed`` for each change this chunk wrote, as ``member_tier_moves`` does."""
        chunk = MemberTier.objects.filter(organization_id=self.org, pk__gt=after, pk__lte=last).values("member_id")
        changes = (TierChange.objects.filter(organization_id=self.org, run_key=self.run_key, changed_at=now,
                                             member_id__in=chunk).order_by("id")
                   .values_list("member_id", "from_code", "to_code", "measure"))
        rows = list(changes)
        code_of = dict(Member.objects.filter(organization_id=self.org, pk__in=[r[0] for r in rows])
                       .values_list("pk", "code"))
        for member_id, from_code, to_code, measure in rows:
            event_record(organization_id=self.org, kind=MEMBER_TIER_CHANGED, occurred_at=now, payload={
                "member": code_of[member_id], "from": from_code or None, "to": to_code or None,
                "reason": "downgrade", "detail": self.detail, "measure": measure, "window_from": self.window[0],
                "window_to": self.window[1], "effective_on": self.effective, "expires_on": None,
            })
