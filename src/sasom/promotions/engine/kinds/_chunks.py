"""What 3f (N for a fixed total) and 3g (the cheapest of N free) share: the group's whole units,
dearest first, in chunks of N (the customer's best: the free unit of a chunk is its cheapest,
and each chunk's cheapest is as dear as it can be); each full chunk is one time (at most the
per-bill limit); the units left over are not consumed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sasom.promotions.engine.kinds._common import BaseRule, gettext_noop, hint, said
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import Context, Draft, Hint, ItemSet, Pool
from sasom.promotions.engine.units import Run, chunks, dearest_first, runs, whole_of

Chunk = list[tuple[Run, int]]


class ChunkRule(BaseRule):
    __slots__ = ("count", "reward", "what")

    def __init__(self, items: ItemSet, count: int, reward: Callable[[Takes, Chunk], None], what: Any) -> None:
        super().__init__(items)
        self.count = count
        self.reward = reward  # adds one chunk's units and discount to the takes
        self.what = what

    def shrinks(self) -> bool:
        return True  # dearest first: a unit taken moves every later rank to a unit no dearer

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        full = chunks(dearest_first(runs(pool, self._items)), self.count, limit)
        if not full:
            return None
        takes = Takes(pool.places)
        for chunk in full:
            self.reward(takes, chunk)
        return Draft(takes=takes.build(pool.net), times=len(full),
                     explanation=said(gettext_noop("%(times)s x (%(count)s units: %(what)s)"),
                                      {"times": len(full), "count": self.count, "what": self.what}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        have = whole_of(pool, self._items)
        if limit is not None and have // self.count >= limit:
            return None  # as many chunks as the bill allows: another one would not be given
        missing = self.count - have % self.count
        return hint(missing, None, said(gettext_noop("add %(n)s more for %(count)s units: %(what)s"),
                                        {"n": missing, "count": self.count, "what": self.what}))
