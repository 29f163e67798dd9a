"""The promotions engine's vocabulary: what goes in (lines, context, promotions) and what comes
out (applications, gifts, choices, hints). Pure Python; every amount is ``Decimal`` money rounded
with ``core.money.money``; quantities are ``Decimal`` (counting promotions use whole units only).

The contract between the engine, the stored promotions (``compile.py``) and the checkout:

* The checkout prices each line first (list price, member price: ``catalog.pricing``), then hands
  the engine one :class:`Line` per basket line with ``unit_price`` = the price charged per unit
  and ``discount`` = the POS's own line discount already on it. The engine answers a
  :class:`Result`; the checkout adds each :class:`LineDiscount` to its line (a promotion discount,
  never a changed unit price), adds each :class:`Gift` not already in the basket as a new line at
  its list price with the discount that makes it free or special (DOMAIN.md 10: never a price-0
  line), then applies member and birthday discounts on what is left (DOMAIN.md 9).
* A kind's rule sees only the units still free (:class:`Pool`) and returns what it consumes; the
  resolver decides the order (priority, or best for the customer) and the stacking.
* The same inputs always give the same result (the order of the lines included): quote == commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol

ZERO = Decimal("0")

MODE_BEST = "best"  # best for the customer: bounded search over the orders of the applicable promotions
MODE_PRIORITY = "priority"  # each promotion in priority order takes what it can of the units left


@dataclass(frozen=True, slots=True)
class Line:
    """A basket line as the engine sees it, after list and member prices."""

    index: int  # the basket's line number (unique in the basket)
    sku: str
    categories: frozenset[str]  # its category and every category above it
    brand: str
    quantity: Decimal
    unit_price: Decimal  # the price charged per unit before promotions
    list_price: Decimal
    discount: Decimal = ZERO  # already on the line (the POS's own), money for the whole line
    places: int = 2  # the currency's minor unit: discounts are rounded to it (``takes.Takes.build``)

    @property
    def amount(self) -> Decimal:
        """What the line costs before promotions (``quantity * unit_price - discount``)."""
        return self.quantity * self.unit_price - self.discount


@dataclass(frozen=True, slots=True)
class Context:
    """Where, when and for whom the basket is priced (the conditions of every kind read it)."""

    at: datetime  # aware, in the organization's zone (weekday and hour conditions read it)
    branch: str = ""  # codes
    terminal: str = ""
    salesperson: str = ""
    document_type: str = ""  # the promotion plan (Business Plus: document type)
    member: str = ""  # member code, "" for a walk-in customer
    member_type: str = ""  # member type code
    tier: str = ""  # tier code
    uses_by_member: Mapping[int, int] = field(default_factory=dict)  # promotion id -> bills of this member
    uses_total: Mapping[int, int] = field(default_factory=dict)  # promotion id -> bills so far (budget)
    choices: Mapping[str, str] = field(default_factory=dict)  # promotion code -> chosen SKU (commit)
    gift_prices: Mapping[str, Decimal] = field(default_factory=dict)  # SKU -> list price of gifts


@dataclass(frozen=True, slots=True)
class ItemSet:
    """Which lines a promotion counts: a line matches when its SKU, one of its categories or its
    brand is named, and it is not excluded by SKU. Empty = every line."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()

    def matches(self, line: Line) -> bool:
        if line.sku in self.exclude_skus:
            return False
        if not (self.skus or self.categories or self.brands):
            return True
        return line.sku in self.skus or line.brand in self.brands or not self.categories.isdisjoint(line.categories)


@dataclass(frozen=True, slots=True)
class Conditions:
    """Variant 6: when a promotion may apply at all (checked before its rule runs)."""

    members_only: bool = False
    member_types: frozenset[str] = frozenset()  # empty = any (members_only still applies)
    tiers: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    terminals: frozenset[str] = frozenset()
    salespersons: frozenset[str] = frozenset()
    document_types: frozenset[str] = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # exclusive (DOMAIN.md 8)
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    hours_from: time | None = None
    hours_to: time | None = None  # exclusive
    per_bill_limit: int | None = None  # times the promotion may apply on one bill
    per_member_limit: int | None = None  # bills per member, ever (Context.uses_by_member)
    budget: int | None = None  # bills in all (Context.uses_total)


class Rule(Protocol):
    """A kind's compiled rule. ``apply`` takes what it can from ``pool`` (at most ``limit`` times,
    None = as often as the units allow) and returns the application, or None when it does not
    apply; ``hint`` says how far the pool is from the next application (or None), with the same
    ``limit``: a step that would be one time more than the bill allows is no next step."""

    def items(self) -> ItemSet: ...

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None: ...

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None: ...


@dataclass(frozen=True, slots=True)
class Promotion:
    """One promotion as compiled from its stored row."""

    id: int
    code: str
    name: str
    kind: str  # a key of ``kinds.KINDS``
    rule: Rule
    conditions: Conditions = Conditions()
    priority: int = 100  # lower runs first in priority mode
    stacks: bool = False  # True: its units stay available to other promotions
    message: str = ""  # printed on the bill when it applies (variants 2f, 3i, 4f)
    members_earn_on_gifts: bool = False  # docs/points.md: whether free units earn points


@dataclass(frozen=True, slots=True)
class PromotionSet:
    """An organization's active promotions, indexed by what they count (so a basket looks up only
    the promotions its lines can touch). Built by ``index.promotion_set``."""

    mode: str  # MODE_BEST | MODE_PRIORITY
    promotions: tuple[Promotion, ...]
    by_sku: Mapping[str, tuple[int, ...]]  # SKU -> positions in ``promotions``
    by_category: Mapping[str, tuple[int, ...]]
    by_brand: Mapping[str, tuple[int, ...]]
    everywhere: tuple[int, ...]  # promotions whose item set is empty (every line)
    version: int = 0


class Pool:
    """The units still free for a promotion, per line (``Decimal`` units; the resolver owns it).
    Rules read ``lines`` and ``free``; only the resolver takes units."""

    __slots__ = ("free", "lines", "net")

    def __init__(self, lines: tuple[Line, ...], free: dict[int, Decimal], net: dict[int, Decimal]) -> None:
        self.lines = lines  # in basket order
        self.free = free  # line index -> units not yet consumed by a non-stacking promotion
        self.net = net  # line index -> what the line still costs after promotions so far

    @property
    def places(self) -> int:
        """The currency's minor unit, carried by the lines (every copy of a pool keeps its lines)."""
        return self.lines[0].places if self.lines else 2


@dataclass(frozen=True, slots=True)
class Take:
    """Units a rule consumes on one line and the discount it gives them (money, >= 0, never more
    than what the line still costs)."""

    index: int
    units: Decimal
    discount: Decimal


_new = object.__new__
_set_index, _set_units, _set_discount = (Take.__dict__[name].__set__ for name in ("index", "units", "discount"))


def take(index: int, units: Decimal, discount: Decimal) -> Take:
    """``Take(index, units, discount)``, the same frozen value, made without the dataclass's
    ``__init__`` (three ``object.__setattr__`` calls): the engine makes hundreds a call (each
    line of each rule run), and this costs about half."""
    made = _new(Take)
    _set_index(made, index)
    _set_units(made, units)
    _set_discount(made, discount)
    return made


@dataclass(frozen=True, slots=True)
class Gift:
    """A free or purchase-with-purchase item the promotion gives that is not (or not wholly) in
    the basket: the checkout adds it as a line at ``list_price`` with ``list_price - unit_price``
    off each unit."""

    sku: str
    quantity: Decimal
    unit_price: Decimal  # what the member pays per unit: 0 for free, the PWP price otherwise
    list_price: Decimal


@dataclass(frozen=True, slots=True)
class Choice:
    """A choice the member still has to make (choice of gift or of PWP item): the quote shows it,
    the commit takes ``Context.choices[promotion]``; no choice made = no gift."""

    promotion: str
    options: tuple[str, ...]  # SKUs
    quantity: Decimal
    unit_price: Decimal  # 0 or the PWP price


@dataclass(frozen=True, slots=True)
class Draft:
    """What a rule returns: the units it takes, the gifts it adds, the choice it offers, how many
    times it applied (for limits) and its explanation (an English sentence; screens translate by
    kind and figures)."""

    takes: tuple[Take, ...]
    times: int
    explanation: str
    gifts: tuple[Gift, ...] = ()
    choice: Choice | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, takes: tuple[Take, ...], times: int, explanation: str, gifts: tuple[Gift, ...] = (),
                 choice: Choice | None = None, figures: Mapping[str, Any] | None = None) -> None:
        """The dataclass's fields set through their slots (each rule run makes one: about 0.5 us
        against 1.5 us for the frozen dataclass's own ``__init__``, six ``object.__setattr__``
        calls and a new dictionary); no figures: one shared empty mapping, read only."""
        s_takes, s_times, s_explanation, s_gifts, s_choice, s_figures = _draft_fields
        s_takes(self, takes)
        s_times(self, times)
        s_explanation(self, explanation)
        s_gifts(self, gifts)
        s_choice(self, choice)
        s_figures(self, _NO_FIGURES if figures is None else figures)


_draft_fields = tuple(Draft.__dict__[name].__set__ for name in (
    "takes", "times", "explanation", "gifts", "choice", "figures"))
_NO_FIGURES: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Applied:
    """A promotion as applied to the basket (a Draft with the promotion's name on it)."""

    promotion_id: int
    code: str
    name: str
    kind: str
    times: int
    takes: tuple[Take, ...]
    gifts: tuple[Gift, ...]
    choice: Choice | None
    explanation: str
    message: str
    stacks: bool

    @property
    def discount(self) -> Decimal:
        total = ZERO  # the takes' discounts, then what the gifts are worth (the search reads it per trial)
        for t in self.takes:
            total += t.discount
        for g in self.gifts:
            total += (g.list_price - g.unit_price) * g.quantity
        return total


_applied_fields = tuple(Applied.__dict__[name].__set__ for name in (
    "promotion_id", "code", "name", "kind", "times", "takes", "gifts", "choice", "explanation", "message", "stacks"))


def make_applied(promotion_id: int, code: str, name: str, kind: str, times: int, takes: tuple[Take, ...],
                 gifts: tuple[Gift, ...], choice: Choice | None, explanation: str, message: str, stacks: bool) -> Applied:
    """``Applied(...)``, the same frozen value, made without the dataclass's ``__init__`` (eleven
    ``object.__setattr__`` calls, about 1.5 us against 0.6 us): the search makes one a trial, as
    :func:`take` makes a ``Take``."""
    made = _new(Applied)
    (s_id, s_code, s_name, s_kind, s_times, s_takes, s_gifts, s_choice, s_explanation, s_message,
     s_stacks) = _applied_fields
    s_id(made, promotion_id)
    s_code(made, code)
    s_name(made, name)
    s_kind(made, kind)
    s_times(made, times)
    s_takes(made, takes)
    s_gifts(made, gifts)
    s_choice(made, choice)
    s_explanation(made, explanation)
    s_message(made, message)
    s_stacks(made, stacks)
    return made


@dataclass(frozen=True, slots=True)
class Hint:
    """How far the basket is from a promotion's next step ("add 1 more for a free item")."""

    promotion: str
    name: str
    missing_units: Decimal | None
    missing_amount: Decimal | None
    reward: str  # an English sentence of what the step gives


@dataclass(frozen=True, slots=True)
class Result:
    applied: tuple[Applied, ...] = ()
    hints: tuple[Hint, ...] = ()

    def line_discounts(self) -> dict[int, Decimal]:
        """Line index -> the promotions' discount on it."""
        out: dict[int, Decimal] = {}
        for a in self.applied:
            for t in a.takes:
                out[t.index] = out.get(t.index, ZERO) + t.discount
        return out

    @property
    def gifts(self) -> tuple[tuple[Applied, Gift], ...]:
        return tuple((a, g) for a in self.applied for g in a.gifts)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(a.choice for a in self.applied if a.choice is not None)

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(a.message for a in self.applied if a.message)

    @property
    def discount(self) -> Decimal:
        return sum((a.discount for a in self.applied), ZERO)


# --- the kind registry's shape (``kinds.KINDS: dict[str, PromoKind]``) ---------------------------

PARAM_TYPES = (
    "int",  # a whole number >= 1
    "money",  # Decimal >= 0, two places
    "percent",  # Decimal 0 < p <= 100
    "decimal",  # Decimal > 0 (quantities, values)
    "sku",  # one SKU
    "skus",  # a list of SKUs (choices)
    "bands",  # a list of {"from": number, "value": Decimal} ascending by "from"
    "mix",  # a list of {"sku": str, "quantity": int, "price": money or null} (a fixed mix / set)
    "text",
    "bool",
    "choice",  # one of ParamSpec.options
)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter a kind takes, as the forms and the API schemas read it."""

    name: str
    type: str  # one of PARAM_TYPES
    label: Any  # str or a lazy translation
    help: Any = ""
    required: bool = True
    options: tuple[str, ...] = ()  # for "choice"


class ParamsError(ValueError):
    """Parameters a kind refuses: ``field`` names the parameter (``bands.1.value``)."""

    def __init__(self, field: str, message: Any) -> None:  # a str or a lazy translation
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class PromoKind:
    """One promotion kind, as ``kinds/<kind>.py`` declares it and ``kinds.KINDS`` registers it.
    ``clean`` normalizes raw parameters (form, API) into the stored ones or raises
    :class:`ParamsError`; ``build`` compiles stored parameters and the promotion's item set into
    its rule; ``explain`` is the one-line summary lists show; ``example`` a valid parameter set
    (docs, OpenAPI examples, the demo)."""

    code: str
    family: int  # seed 001's family: 1 one item in quantity, 2 fixed mix, 3 any N of a group,
    #             4 group value reached, 5 assorted one-price bins
    label: Any
    description: Any
    params: tuple[ParamSpec, ...]
    uses_items: bool  # True: counts the promotion's item set; False: its parameters name the items
    clean: Callable[[Mapping[str, Any]], dict[str, Any]]
    build: Callable[[Mapping[str, Any], ItemSet], Rule]
    explain: Callable[[Mapping[str, Any]], str]
    example: Mapping[str, Any] = field(default_factory=dict)
