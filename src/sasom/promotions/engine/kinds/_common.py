"""What the kinds share: the base of their rules, quantity steps, and small text helpers.

A rule never knows its promotion's code or name: the resolver puts them on the hints and choices
it returns (``Hint.promotion`` and ``Choice.promotion`` are "" when a rule makes them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeAlias, TypeVar

from django.utils.functional import lazy
from django.utils.translation import gettext

from sasom.core.currency import TOMAN_PLACES, TOMAN_RIAL, Currency, input_places, unit_label
from sasom.core.money import money
from sasom.promotions.engine.types import ZERO, Context, Draft, Hint, ItemSet, Line, Pool
from sasom.promotions.engine.units import Basket

G = TypeVar("G")  # a group of a by-SKU kind (:func:`within_limit`)

Params: TypeAlias = Mapping[str, Any]
_index = attrgetter("index")
Steps: TypeAlias = tuple[tuple[int, Decimal], ...]  # (from, value) ascending


def steps_of(bands: Sequence[Mapping[str, Any]]) -> Steps:
    return tuple((int(b["from"]), Decimal(str(b["value"]))) for b in bands)


def step_at(steps: Steps, count: int) -> tuple[int, Decimal] | None:
    """The highest step ``count`` reaches (None below the first)."""
    reached = None
    for step in steps:
        if count >= step[0]:
            reached = step
    return reached


def next_step(steps: Steps, count: int) -> tuple[int, Decimal] | None:
    for step in steps:
        if count < step[0]:
            return step
    return None


def fmt(amount: Decimal) -> str:
    """A percent or a quantity for a text, as the parameters give it: ``3``, ``2.5``, ``33.333``
    (never ``2.50``, nor an exponent: the summary and the explanation write the same percent,
    the one the discount is computed with)."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return format(amount.normalize(), "f")


# How the texts made into strings now show money: the screen's currency (``texts_shown_in``), or
# None (the API, the engine's tests): the bare amount in the currency.
_SHOWN_IN: ContextVar[Currency | None] = ContextVar("sasom_promotion_texts_shown_in", default=None)


@contextmanager
def texts_shown_in(currency: Currency) -> Iterator[None]:
    """Promotion texts made into strings inside the block show their amounts as ``currency``'s
    readers read them: in its display unit with the unit's name (``45.00 บาท``, ``4500 تومان``
    for 45000 rial). Screens that know their organization (the till, the preview, the promotion
    list) use it; the API writes bare amounts in the currency (rial), as its money fields."""
    token = _SHOWN_IN.set(currency)
    try:
        yield
    finally:
        _SHOWN_IN.reset(token)


def _money_text(amount: Decimal, places: int) -> str:
    shown = _SHOWN_IN.get()
    return money_written(amount, places, shown, None if shown is None else unit_label(shown))


def money_written(amount: Decimal, places: int, shown: Currency | None, unit: Any) -> str:
    """An amount of a text as it is shown in ``shown`` (the screen's currency, None: bare), its
    unit's name ``unit`` (``unit_label(shown)``, given by the caller so that a reader writing many
    texts translates it once: ``_stored.TextReader``)."""
    if shown is None or shown.places != places:  # no screen, or a text of another currency
        return f"{money(amount, places):.{places}f}"
    if shown.toman:
        value = money(Decimal(amount) / TOMAN_RIAL, TOMAN_PLACES)
        number = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.{TOMAN_PLACES}f}"
    else:
        number = f"{money(amount, places):.{places}f}"
    return f"{number} {unit}"  # the unit named: rial and toman differ tenfold


_money_lazy = lazy(_money_text, str)


def money_in(amount: Decimal, places: int) -> str:
    """:func:`money_str` with the currency's decimals given (outside a compile or a resolve)."""
    return _money_lazy(amount, places)


def money_str(amount: Decimal) -> str:
    """An amount for an explanation, a hint or a reward's text, with the currency's decimals
    (``45.00`` THB, ``45000`` IRR): the places of the set being compiled or the basket being
    resolved (``compile.promotion_compile`` and ``resolver.resolve`` state them with
    ``core.currency.amounts_in``; two outside them). The amount is stored in the currency (rial)
    and written when the text is shown: with its unit's name inside :func:`texts_shown_in` (a
    screen), in toman for a toman shop (``4500 toman`` for 45000 rial; ungrouped, as every
    promotion amount)."""
    return _money_lazy(amount, input_places())


def gettext_noop(message: str) -> str:
    """Marks ``message`` for translation (makemessages reads the name) and returns it as it is.
    Django's own asks for its settings: the engine runs without them (bench/promotions.py)."""
    return message


def _said(msgid: str, params: Mapping[str, Any] | None = None) -> str:
    text = gettext(msgid)
    return text % {k: str(v) for k, v in params.items()} if params else text


# An explanation, a hint or a refusal in the language of whoever reads it (the quote's request,
# the till screen): ``said(gettext_noop("add %(n)s more for %(reward)s"), {"n": 1, ...})`` is
# translated and filled in when it is shown; parameters that are lazy texts follow it.
said = lazy(_said, str)


def _joined(sep: Any, parts: Sequence[Any]) -> str:
    return str(sep).join(str(p) for p in parts)


joined = lazy(_joined, str)  # parts (lazy texts or not) joined when shown

# The separators of a text's lists ("buy 2 get 1, buy 20 get 6"; "1 x A in the basket; 1 x A
# added"), translated as the rest: Persian writes "،" and "؛"
COMMA = said(gettext_noop(", "))
SEMICOLON = said(gettext_noop("; "))


def units_of(quantity: Any, sku: str) -> str:
    """``2 x SPRITE`` as the reader writes it (``SPRITE 2 ชิ้น``, ``2 عدد SPRITE``: a count between
    two SKUs with no word of the reader's language would leave its SKU in a right-to-left line)."""
    return said(gettext_noop("%(quantity)s x %(sku)s"), {"quantity": quantity, "sku": sku})

# The group a one-price bin's units form, as hints name it ("add 2 more for 70.00 each on the
# bin"; ``units.grouped``); a sentence that would read wrong with it in a SKU's place has its own
# for the bin ("add 1 more of the bin for a free item", "4 of the bin: 80.00 each")
THE_BIN = said(gettext_noop("the bin"))


class BaseRule:
    """A compiled rule over an item set (see ``types.Rule``). Kinds override ``apply`` and
    ``hint``; ``touches`` and ``reward_skus`` tell the resolver which lines the rule can change
    (the best-for-customer search partitions promotions by them)."""

    __slots__ = ("_items",)

    def __init__(self, items: ItemSet) -> None:
        self._items = items

    def items(self) -> ItemSet:
        return self._items

    def touches(self, line: Line) -> bool:
        return self._items.matches(line) or line.sku in self.reward_skus()

    def reward_skus(self) -> frozenset[str]:
        return frozenset()

    def shrinks(self) -> bool:
        """True when the rule's worth (its discount, rounded per line) can only fall, give or take
        the rounding of each line it reads, as other promotions take units from its lines: on a
        pool with fewer free units, none dearer, it gives at most what it gave before, unrounded.
        The best-for-customer greedy then takes a trial's worth in an earlier round as its bound
        in a later one (``search._greedy``), with no per-bill limit only (a limit lets a later SKU
        take the place an earlier one gave up). False unless a kind says so: a gift or a choice
        counted at its list price outside the basket may be worth more once the basket's units are
        gone, a set takes its cheapest units first."""
        return False

    def hint_reads_amounts(self) -> bool:
        """False when :meth:`hint` reads free units only, never what a line still costs: a
        stacking promotion (which gives back amounts only) is then asked for its hint without
        giving them back (``resolver.next_steps``). True unless a kind says so."""
        return True

    def ceiling(self, pool: Pool, ctx: Context) -> Decimal | None:
        """The most the rule could give from ``pool`` on, or on any pool with fewer free units and
        lower amounts, beyond the discounts on the lines it touches (those never exceed what the
        lines still cost): the goods it adds outside the basket. None: no bound known. The
        best-for-customer search stops a branch with it."""
        return ZERO

    def touched(self, pool: Pool) -> frozenset[int]:
        """The indexes of the pool's lines ``touches`` accepts (quicker on the resolver's pool)."""
        if not isinstance(pool, Basket):
            return frozenset(ln.index for ln in pool.lines if self.touches(ln))
        found = frozenset(map(_index, pool.lines_of(self._items)))
        rewards = self.reward_skus()
        if not rewards:
            return found
        more = set(found)
        for sku in rewards:
            more.update(map(_index, pool.by_sku.get(sku, ())))
        return frozenset(more)

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        raise NotImplementedError

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        return None


def within_limit(groups: list[G], limit: int | None, gives: Callable[[G], bool]) -> list[G]:
    """The SKU groups a by-SKU kind (1a-1c) may still hint for under a per-bill limit (a time is a
    SKU): once ``limit`` groups get their step (``apply`` gives the first of them, in this order)
    only they can step up, another SKU would be one time more; below it, every group."""
    if limit is None:
        return groups
    giving = [g for g in groups if gives(g)]
    return giving[:limit] if len(giving) >= limit else groups


def hint(units: Decimal | int | None, amount: Decimal | None, reward: str) -> Hint:
    return Hint(
        promotion="",
        name="",
        missing_units=None if units is None else Decimal(units),
        missing_amount=amount,
        reward=reward,
    )


def capped(times: int, limit: int | None) -> int:
    return times if limit is None else max(0, min(times, limit))


def free_by_steps(steps: Steps, repeat: bool, bought: int) -> int:
    """Free units ``bought`` paid units earn: the best step reached, repeated per its ``from``
    units when ``repeat`` (buy 2 get 1: 4 paid earn 2), else once."""
    best = 0
    for start, value in steps:
        if bought >= start:
            best = max(best, (bought // start if repeat else 1) * int(value))
    return best


def split_paid_free(steps: Steps, repeat: bool, units: int) -> tuple[int, int]:
    """``units`` in the basket split into (paid, free) giving the most free units: the free ones
    are earned by the paid ones and come out of the same units (buy 2 get 1: 3 units = 2 paid +
    1 free; 2 units = 2 paid, 0 free, and a hint to add one). ``paid`` is the fewest paid units
    that earn ``free``; the rest of ``units`` is left alone."""
    lo = _smallest(units, lambda p: free_by_steps(steps, repeat, p) >= units - p)
    free = max(units - lo, free_by_steps(steps, repeat, lo - 1) if lo >= 1 else 0)
    if free <= 0:
        return 0, 0
    return _smallest(units, lambda p: free_by_steps(steps, repeat, p) >= free), free


def _smallest(top: int, holds: Callable[[int], bool]) -> int:
    """The smallest p in 0..top for which ``holds`` (monotone) is true (``top`` if none before)."""
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def more_for_next_free(steps: Steps, repeat: bool, units: int) -> int | None:
    """How many units to add before one more is free (None: no further step)."""
    _, now = split_paid_free(steps, repeat, units)
    reach = max(start + int(value) for start, value in steps)
    for extra in range(1, reach + 1):
        if split_paid_free(steps, repeat, units + extra)[1] > now:
            return extra
    return None
