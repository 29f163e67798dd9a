"""The till's basket as the cashier builds it, and what it needs to post once.

Where the basket lives: in the staff member's **session**, not in hidden inputs re-posted with
every scan. A scan then sends only the code (small and fast from a handheld scanner), a refresh
or a dropped connection keeps the bill, the lines cannot be edited in the page, and the quote is
computed from exactly the basket the commit will post.

Posting once (a generic form token does not exist in ``core`` yet; this one is the checkout's):

* every basket carries a ``token``, printed in the post form and renewed with every change of the
  bill, so only a form showing the bill as it is can post it; and a receipt number, reserved from
  the terminal's sequence when its first line is added;
* the sale's time (``stamp``) is the time of the quote the screen shows, so a double click sends
  the same receipt with the same content twice and the ledger answers the second with the stored
  sale (``sale_commit`` is idempotent per receipt);
* after a post the session forgets the basket and remembers ``token -> sale``: a post of a form
  whose token is no longer the basket's goes to that sale's receipt, never posts again; the post
  answers with a redirect (post/redirect/get), so a refresh re-reads the receipt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sasom.catalog.pricing import LineIn
from sasom.earning import engine
from sasom.members.services import sequence_take
from sasom.organizations.models import Terminal

SESSION_KEY = "checkout.till"
DONE_KEY = "checkout.till_done"  # token -> sale id of the last posts of this session
DONE_KEPT = 20
TERMINAL_COOKIE = "sasom_till_terminal"
TERMINAL_SALT = "sasom.checkout.till.terminal"
STAMP_FRESH = dt.timedelta(minutes=30)  # an older quote is shown again before it is posted


@dataclass(frozen=True)
class TillBasket:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    lines: tuple[tuple[str, Decimal], ...] = ()  # (SKU, quantity), in the order scanned
    member_id: int | None = None
    coupons: tuple[str, ...] = ()
    points: int = 0
    bag_declined: bool = False  # the customer took no plastic bag (bag campaigns, docs/points.md 3.9)
    receipt_id: str = ""
    receipt_terminal_id: int | None = None
    stamp: str = ""  # ISO time of the quote on screen: the sale's time when posted
    choices: tuple[tuple[str, str], ...] = ()  # (promotion code, chosen SKU): the member's picks

    # -------------------------------------------------------------- session
    @classmethod
    def load(cls, session: Any) -> TillBasket:
        raw = session.get(SESSION_KEY)
        if not isinstance(raw, dict):
            return cls()
        try:
            return cls(
                token=str(raw["token"]), lines=tuple((str(c), Decimal(q)) for c, q in raw.get("lines", [])),
                member_id=raw.get("member_id"), coupons=tuple(raw.get("coupons", [])),
                points=int(raw.get("points", 0)), bag_declined=bool(raw.get("bag_declined", False)),
                receipt_id=str(raw.get("receipt_id", "")),
                receipt_terminal_id=raw.get("receipt_terminal_id"), stamp=str(raw.get("stamp", "")),
                choices=tuple((str(c), str(s)) for c, s in raw.get("choices", [])),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return cls()

    def save(self, session: Any) -> None:
        session[SESSION_KEY] = {
            "token": self.token, "lines": [[c, str(q)] for c, q in self.lines], "member_id": self.member_id,
            "coupons": list(self.coupons), "points": self.points, "bag_declined": self.bag_declined,
            "receipt_id": self.receipt_id,
            "receipt_terminal_id": self.receipt_terminal_id, "stamp": self.stamp,
            "choices": [list(c) for c in self.choices],
        }

    # -------------------------------------------------------------- changes (each a new basket)
    def with_quantity(self, code: str, quantity: Decimal) -> TillBasket:
        """``quantity`` more of ``code`` (a line of it is added to, else a new line)."""
        lines = list(self.lines)
        for i, (sku, qty) in enumerate(lines):
            if sku == code:
                lines[i] = (sku, qty + quantity)
                return dataclasses.replace(self, lines=tuple(lines))
        return dataclasses.replace(self, lines=(*self.lines, (code, quantity)))

    def with_line(self, index: int, quantity: Decimal | None) -> TillBasket:
        """Line ``index`` (from 0) at ``quantity``; None removes it."""
        lines = list(self.lines)
        if quantity is None:
            del lines[index]
        else:
            lines[index] = (lines[index][0], quantity)
        return dataclasses.replace(self, lines=tuple(lines))

    def with_member(self, member_id: int | None) -> TillBasket:
        """Another member: their coupons and points are theirs, so the payments start again."""
        return dataclasses.replace(self, member_id=member_id, coupons=(), points=0)

    def with_choice(self, promotion: str, sku: str) -> TillBasket:
        """The member's pick for ``promotion`` (another pick for it replaces the first)."""
        kept = tuple(c for c in self.choices if c[0] != promotion)
        return dataclasses.replace(self, choices=(*kept, (promotion, sku)))

    def chosen(self) -> dict[str, str]:
        return dict(self.choices)

    def stale_choice(self, field: str | None) -> str | None:
        """The promotion whose pick a refusal names (``choices.<code>``, ``promotion_choice_invalid``)
        when this basket holds one for it: a running promotion that no longer offers the SKU picked."""
        code = (field or "").removeprefix("choices.")
        return code if field and field.startswith("choices.") and code in self.chosen() else None

    def without_choice(self, promotion: str) -> TillBasket:
        return dataclasses.replace(self, choices=tuple(c for c in self.choices if c[0] != promotion))

    def changed_from(self, other: TillBasket) -> bool:
        return (self.lines, self.member_id, self.coupons, self.points, self.bag_declined, self.choices) != (
            other.lines, other.member_id, other.coupons, other.points, other.bag_declined, other.choices)

    def renewed(self) -> TillBasket:
        """The same bill under a new token: a post form printed before this change is refused."""
        return dataclasses.replace(self, token=secrets.token_urlsafe(12))

    def without_payments(self) -> TillBasket:
        return dataclasses.replace(self, coupons=(), points=0)

    def stamped(self, now: dt.datetime) -> TillBasket:
        return dataclasses.replace(self, stamp=now.isoformat())

    # -------------------------------------------------------------- what the checkout receives
    def sent(self) -> tuple[LineIn, ...]:
        return tuple(LineIn(line_no=i, code=code, quantity=qty, unit_price=None)
                     for i, (code, qty) in enumerate(self.lines, start=1))

    def occurred_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.stamp) if self.stamp else timezone.now()

    def stamp_fresh(self, now: dt.datetime) -> bool:
        return bool(self.stamp) and dt.timedelta(0) <= now - self.occurred_at() <= STAMP_FRESH

    def engine_basket(self, terminal: Terminal, salesperson: str) -> engine.Basket:
        return engine.Basket(occurred_at=self.occurred_at(), lines=(), branch_code=terminal.branch.code,
                             terminal_code=terminal.code, salesperson=salesperson[:64],
                             bag_declined=self.bag_declined)


def receipt_reserved(basket: TillBasket, terminal: Terminal) -> TillBasket:
    """The basket with a receipt number of ``terminal`` (``<terminal>-000042``, from the terminal's
    own sequence), reserved once per sale and kept until it is posted or dropped."""
    if basket.receipt_id and basket.receipt_terminal_id == terminal.pk:
        return basket
    with transaction.atomic():  # the sequence's row is locked while it is bumped
        number = sequence_take(organization_id=terminal.organization_id, name=f"receipt:{terminal.pk}")
    return dataclasses.replace(basket, receipt_id=f"{terminal.code}-{number:06d}", receipt_terminal_id=terminal.pk)


def done_remember(session: Any, token: str, sale_id: int) -> None:
    done = dict(session.get(DONE_KEY) or {})
    done[token] = sale_id
    session[DONE_KEY] = dict(list(done.items())[-DONE_KEPT:])


def done_sale_id(session: Any, token: str) -> int | None:
    found = (session.get(DONE_KEY) or {}).get(token)
    return found if isinstance(found, int) else None
