"""The till's pricing of a basket: list price, member price, member and birthday discounts.

Pure Python over plain dataclasses (no database): ``catalog.prices`` reads the products, their
resolved prices and the member's benefits, this module decides every line's price and discounts,
and the checkout hands the priced lines to the earning engine and the posting plan. The quote and
the commit call the same function with the same inputs, so they agree (DOMAIN.md 9).

Order on a line (DOMAIN.md 9; docs/points.md "Prices at the till"):

1. **List price**: the general table's price (at the branch, then for every branch), else the
   product's base price. A line whose SKU is not in the catalog is an *open* line at the POS's price.
2. **Member price**: the member type's table (at the branch, then for every branch), when the
   member's benefits are active.
3. **Whose price**: a line sent without a price takes Sasom's. A line sent with a price takes
   Sasom's when the organization says Sasom's prices win (``authority == "sasom"``) and the POS's
   otherwise; either way a sent price that is neither the list nor the member price is flagged
   ``differs``.
4. **POS promotions** (optional, between the passes): :func:`basket_price`'s ``promote`` receives
   the lines as priced so far and returns them with each promotion's discount on its line
   (``promotion_discount``, an adjustment ``promotion:<code>`` with the reason) and the gifts as
   new lines at list price with the discount that makes them free or special. This module does not
   know the promotions: the checkout composes the engine in (DOMAIN.md 9).
5. **Member discount** and **birthday discount**, each a percentage of the line's amount after its
   line discount and its promotions' discount (not compounded), rounded half-up to the currency's
   minor unit (the satang; a whole rial: ``Terms.places``), on the lines they cover: a line
   priced by Sasom, not in an excluded category (or below one), not already discounted (by the POS
   or a promotion) when the organization says so, and only when the bill reaches the minimum. Under ``authority == "pos"`` a
   line priced by the POS gets none (the POS gave its own).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sasom.core.money import money

ZERO = Decimal("0")

AUTHORITY_POS = "pos"
AUTHORITY_SASOM = "sasom"

FLAG_DIFFERS = "differs"
FLAG_OPEN = "open"


@dataclass(frozen=True, slots=True)
class LineIn:
    """A line as the POS or the cashier sent it."""

    line_no: int
    code: str  # a SKU or a barcode
    quantity: Decimal
    unit_price: Decimal | None  # None: Sasom prices the line
    discount: Decimal = ZERO  # the POS's own line discount (a promotion it ran), money
    category: str = ""  # for open lines, and products the catalog gives none
    brand: str = ""


@dataclass(frozen=True, slots=True)
class ProductPrices:
    """A catalog product and its prices resolved for one branch, member type and day."""

    sku: str
    name: str
    category: str
    categories: frozenset[str]  # its category and every category above it
    brand: str
    excluded_from_points: bool
    list_price: Decimal
    list_source: str  # "base", or "table:<code>" / "table:<code>@<branch>" of the general table
    member_price: Decimal | None = None  # the member type's table, when it has the product
    member_source: str = ""


@dataclass(frozen=True, slots=True)
class Terms:
    """The organization's pricing settings and the member's benefits on the day of the sale."""

    authority: str = AUTHORITY_POS
    member_label: str = ""  # the member type's code, for the reasons ("" = no member)
    benefits_active: bool = False
    benefits_reason: str = ""  # why a member gets no benefit ("expired", "suspended" …)
    discount_percent: Decimal = ZERO
    birthday_percent: Decimal = ZERO  # already zero when it is not the member's birthday (day or month)
    min_bill: Decimal = ZERO
    skip_discounted_lines: bool = False
    excluded_categories: frozenset[str] = frozenset()
    places: int = 2  # the currency's minor unit (core.currency): every amount is rounded to it


def gettext_noop(message: str) -> str:
    """Marks ``message`` for translation (makemessages reads the name); the engine needs no settings."""
    return message


# Why a line got (or did not get) a price or a discount: message ids with ``%(name)s`` fields,
# written in the reader's language when the sale is read (``checkout.promo_texts``)
MEMBER_PRICE = gettext_noop("%(type)s price %(price)s (%(source)s)")
PRICE_DIFFERS = gettext_noop("The POS sent %(sent)s; the table says %(price)s")
MEMBER_DISCOUNT = gettext_noop("%(type)s %(percent)s%% of %(base)s")
BIRTHDAY_DISCOUNT = gettext_noop("Birthday %(percent)s%% of %(base)s")
NO_DISCOUNT_POS = gettext_noop("No member discount: priced by the POS")
NO_DISCOUNT_CATEGORY = gettext_noop("No member discount: category %(category)s has no member discount")
NO_DISCOUNT_DISCOUNTED = gettext_noop("No member discount: the line is already discounted")
NO_DISCOUNT_MINIMUM = gettext_noop("No member discount: the bill %(bill)s is under the minimum %(minimum)s")
NO_BENEFITS = {  # by ``Terms.benefits_reason`` (a member's status)
    "": gettext_noop("No member benefits: the benefits are not active"),
    "suspended": gettext_noop("No member benefits: the member is suspended"),
    "closed": gettext_noop("No member benefits: the membership is closed"),
    "anonymized": gettext_noop("No member benefits: the member is anonymized"),
    "expired": gettext_noop("No member benefits: the membership has expired"),
}
NO_BENEFITS_OTHER = gettext_noop("No member benefits: %(reason)s")

Values = tuple[tuple[str, str | Decimal], ...]


class Adjustment(NamedTuple):
    """One step of a line's price, or a note on the bill, with its reason.

    The catalog's reasons are a message id (above) and its ``values``: a ``Decimal`` value is an
    amount of the currency (``places`` decimals), written in the reader's display unit with the
    unit named; a string is written as it is. The checkout stores them as data
    (``checkout.promo_texts.said_stored``) and shows them in the reader's language. A promotion's
    reason comes already stored (``values`` None). A named tuple: a sale makes one per step of
    every line (a frozen dataclass of five fields costs three times as much to make)."""

    kind: str  # "member_price" | "price_differs" | "member_discount" | "birthday_discount" | "no_member_discount"
    amount: Decimal | None
    reason: str  # a message id with ``values``, or (``values`` None) a reason as stored
    values: Values | None = None
    places: int = 2  # the currency's minor unit, for the amounts among ``values``

    @property
    def text(self) -> str:
        """The reason in English with bare amounts (tests, logs); a stored reason as it is."""
        if self.values is None:
            return self.reason
        return self.reason % {k: v for k, v in self.values} if self.values else self.reason


# the notes without values, made once (every line a POS prices gets one)
_PRICED_BY_POS = Adjustment("no_member_discount", None, NO_DISCOUNT_POS, ())
_ALREADY_DISCOUNTED = Adjustment("no_member_discount", None, NO_DISCOUNT_DISCOUNTED, ())


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_no: int
    sku: str
    name: str
    category: str
    brand: str
    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal  # the price charged
    price_source: str  # "base", "table:VIP", "table:VIP@B01", "pos", "open"
    price_flag: str  # "", "differs", "open"
    sent_price: Decimal | None
    pos_discount: Decimal
    member_discount: Decimal
    birthday_discount: Decimal
    excluded_from_points: bool
    categories: frozenset[str] = frozenset()  # its category and those above it
    adjustments: tuple[Adjustment, ...] = ()
    promotion_discount: Decimal = ZERO  # the POS promotions' discount (pass two)
    places: int = 2  # the currency's minor unit (``Terms.places``)
    # ``amount`` once computed (a line is read several times while it is priced); not an input:
    # a line made from another one (``dataclasses.replace``) computes its own
    _amount: Decimal | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def amount(self) -> Decimal:
        done = self._amount
        if done is None:
            done = money(self.quantity * self.unit_price, self.places)
            object.__setattr__(self, "_amount", done)
        return done

    @property
    def discount(self) -> Decimal:
        return self.pos_discount + self.promotion_discount + self.member_discount + self.birthday_discount

    @property
    def before_member(self) -> Decimal:
        """What the line costs before the member's discounts (after the POS's and the promotions')."""
        return self.amount - self.pos_discount - self.promotion_discount

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount

    @property
    def benefit_discount(self) -> Decimal:
        """The member's discounts on this line (member type and birthday)."""
        return self.member_discount + self.birthday_discount


@dataclass(frozen=True, slots=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]
    notes: tuple[Adjustment, ...] = field(default_factory=tuple)  # about the whole bill

    @property
    def member_discount(self) -> Decimal:
        return sum((ln.benefit_discount for ln in self.lines), ZERO)

    @property
    def list_total(self) -> Decimal:
        return sum((money(ln.quantity * ln.list_price, ln.places) for ln in self.lines), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((ln.net for ln in self.lines), ZERO)

    @property
    def flagged(self) -> bool:
        return any(ln.price_flag for ln in self.lines)


class PricingError(ValueError):
    """A line that cannot be priced: ``code`` and ``field`` name it (``lines.2.unit_price``, as the
    API names a body's fields)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


UNKNOWN_PRODUCT = "unknown_product"
PRICE_REQUIRED = "price_required"
DISCOUNT_ABOVE_LINE = "discount_above_line"


Promote = Callable[[tuple[PricedLine, ...]], tuple[PricedLine, ...]]


def basket_price(lines: tuple[LineIn, ...], products: Mapping[str, ProductPrices], terms: Terms, *,
                 open_lines: bool, promote: Promote | None = None) -> PricedBasket:
    """Price every line (see the module's docstring). ``products`` maps each known code (SKU or
    barcode) to its product; a code not in it is an open line when ``open_lines``, else refused.
    ``promote`` (pass two) adds the promotions' discounts and gifts before the member's discounts."""
    first = tuple(_line_price(i, ln, products.get(ln.code), terms, open_lines) for i, ln in enumerate(lines))
    if promote is not None:
        first = promote(first)
    gross = sum((ln.before_member for ln in first), ZERO)
    notes: list[Adjustment] = []
    if terms.member_label and not terms.benefits_active:
        why = NO_BENEFITS.get(terms.benefits_reason)
        notes.append(Adjustment("no_member_discount", None, why, ()) if why is not None else
                     Adjustment("no_member_discount", None, NO_BENEFITS_OTHER, (("reason", terms.benefits_reason),)))
        return PricedBasket(lines=first, notes=tuple(notes))
    percent = terms.discount_percent + terms.birthday_percent
    if not terms.member_label or percent <= 0:
        return PricedBasket(lines=first, notes=())
    if gross < terms.min_bill:
        notes.append(Adjustment("no_member_discount", None, NO_DISCOUNT_MINIMUM,
                                (("bill", gross), ("minimum", terms.min_bill)), terms.places))
        return PricedBasket(lines=first, notes=tuple(notes))
    return PricedBasket(lines=tuple(_discounted(ln, terms) for ln in first), notes=())


def sent_lines_check(lines: tuple[LineIn, ...], places: int = 2) -> None:
    """What every sent line must be even when Sasom does not price it: a discount no larger than
    the line (``discount_above_line``)."""
    for index, ln in enumerate(lines):
        if ln.unit_price is not None and ln.discount > money(ln.quantity * ln.unit_price, places):
            raise PricingError(DISCOUNT_ABOVE_LINE, f"lines.{index}.discount",
                               f"The discount {ln.discount} is more than the line's.")


def _line_price(index: int, ln: LineIn, product: ProductPrices | None, terms: Terms, open_lines: bool
                ) -> PricedLine:
    where = f"lines.{index}"
    if product is None:
        if not open_lines:
            raise PricingError(UNKNOWN_PRODUCT, f"{where}.sku", f"No product has the code {ln.code}.")
        if ln.unit_price is None:
            raise PricingError(PRICE_REQUIRED, f"{where}.unit_price",
                               f"{ln.code} is not in the catalog: send its price.")
        line = PricedLine(
            line_no=ln.line_no, sku=ln.code, name="", category=ln.category, brand=ln.brand, quantity=ln.quantity,
            list_price=ln.unit_price, unit_price=ln.unit_price, price_source="open", price_flag=FLAG_OPEN,
            sent_price=ln.unit_price, pos_discount=ln.discount, member_discount=ZERO, birthday_discount=ZERO,
            excluded_from_points=False, categories=frozenset({ln.category}) if ln.category else frozenset(),
            places=terms.places,
        )
        return _checked(line, where)
    member_price = product.member_price if terms.benefits_active else None
    sasom_price = member_price if member_price is not None else product.list_price
    sasom_source = product.member_source if member_price is not None else product.list_source
    adjustments: list[Adjustment] = []
    if member_price is not None and member_price != product.list_price:
        adjustments.append(Adjustment("member_price", money(member_price - product.list_price, terms.places),
                                      MEMBER_PRICE, (("type", terms.member_label), ("price", member_price),
                                                     ("source", product.member_source)), terms.places))
    flag = ""
    sent = ln.unit_price
    if sent is not None and sent not in (sasom_price, product.list_price):
        flag = FLAG_DIFFERS
        adjustments.append(Adjustment("price_differs", money(sent - sasom_price, terms.places),
                                      PRICE_DIFFERS, (("sent", sent), ("price", sasom_price)), terms.places))
    if sent is None or terms.authority == AUTHORITY_SASOM:
        price, source = sasom_price, sasom_source
    else:
        price, source = sent, "pos"
    line = PricedLine(
        line_no=ln.line_no, sku=product.sku, name=product.name, category=product.category or ln.category,
        brand=product.brand or ln.brand,
        quantity=ln.quantity, list_price=product.list_price, unit_price=price, price_source=source, price_flag=flag,
        sent_price=sent, pos_discount=ln.discount, member_discount=ZERO, birthday_discount=ZERO,
        excluded_from_points=product.excluded_from_points,
        categories=product.categories or (frozenset({ln.category}) if ln.category else frozenset()),
        adjustments=tuple(adjustments), places=terms.places,
    )
    return _checked(line, where)


def _checked(line: PricedLine, where: str) -> PricedLine:
    if line.pos_discount > line.amount:
        raise PricingError(DISCOUNT_ABOVE_LINE, f"{where}.discount",
                           f"The discount {line.pos_discount} is more than the line's {line.amount}.")
    return line


def _discounted(ln: PricedLine, terms: Terms) -> PricedLine:
    """The member and birthday discounts on one line, or the reason it has none."""
    why_not: Adjustment | None = None
    if ln.price_source == "pos":
        why_not = _PRICED_BY_POS
    elif ln.categories & terms.excluded_categories:
        why_not = Adjustment("no_member_discount", None, NO_DISCOUNT_CATEGORY, (("category", ln.category),))
    elif terms.skip_discounted_lines and (ln.pos_discount > 0 or ln.promotion_discount > 0):
        why_not = _ALREADY_DISCOUNTED
    base = ln.before_member
    if why_not is not None or base <= 0:
        return ln if why_not is None else _with(ln, why_not)
    member = min(money(base * terms.discount_percent / 100, terms.places), base)
    birthday = min(money(base * terms.birthday_percent / 100, terms.places), base - member)  # never below zero together
    out = ln
    if member:
        out = _with(out, Adjustment("member_discount", member, MEMBER_DISCOUNT,
                                    (("type", terms.member_label), ("percent", _pct(terms.discount_percent)),
                                     ("base", base)), terms.places))
    if birthday:
        out = _with(out, Adjustment("birthday_discount", birthday, BIRTHDAY_DISCOUNT,
                                    (("percent", _pct(terms.birthday_percent)), ("base", base)), terms.places))
    return dataclasses.replace(out, member_discount=member, birthday_discount=birthday)


# PricedLine's fields in their order (all given to __init__ but ``_amount``), read at once
_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(PricedLine) if f.init)
_LINE_VALUES = operator.attrgetter(*_LINE_FIELDS)
_ADJUSTMENTS = _LINE_FIELDS.index("adjustments")


def _with(ln: PricedLine, adjustment: Adjustment) -> PricedLine:
    """``dataclasses.replace(ln, adjustments=(*ln.adjustments, adjustment))``, for every line of
    a member's basket: its fields read in one call instead of one ``getattr`` each."""
    values = list(_LINE_VALUES(ln))
    values[_ADJUSTMENTS] = (*ln.adjustments, adjustment)
    return PricedLine(*values)


def _pct(value: Decimal) -> str:
    return format(value.normalize(), "f")
