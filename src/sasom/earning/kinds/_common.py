"""What every rule kind shares: the kind codes, the engine's :class:`Rule` base class, the
registry entry :class:`RuleKind` that a ``kinds/<kind>.py`` module fills in, and the bill-level
promotion arithmetic several kinds use. Pure Python, no ORM."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, TypeAlias, TypeVar

from django.utils.functional import Promise

from sasom.earning.arithmetic import Boost, Mode, fmt_money
from sasom.earning.bill import Bill
from sasom.earning.conditions import Scope, When
from sasom.earning.domain import Award

# A rule's parameters as stored in ``EarnRule.params``: a JSON object.
Params: TypeAlias = Mapping[str, Any]
Label: TypeAlias = str | Promise  # gettext_lazy


class Kind:
    BASE = "base"
    THRESHOLD = "threshold"
    PRODUCT = "product"
    SPEND = "spend"
    GOLDEN_MINUTE = "golden_minute"
    BIRTHDAY = "birthday"
    REFERRAL = "referral"
    SPECIAL_DATE = "special_date"
    CAMPAIGN_BAG = "campaign_bag"  # a campaign's award, not a rule kind (see earning/campaigns.py)


@dataclass(frozen=True, slots=True)
class Rule:
    id: int | None
    code: str
    name: str
    priority: int = 0
    stop_further: bool = False
    scope: Scope = field(default_factory=Scope)
    when: When = field(default_factory=When)

    kind: ClassVar[str] = ""

    def index_keys(self) -> tuple[tuple[str, str], ...]:
        return self.scope.anchor_keys()

    def applies(self, bill: Bill) -> bool:
        return self.scope.matches(bill.basket, bill.member) and self.when.matches(bill.basket.occurred_at, bill.local)

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        raise NotImplementedError

    def award(self, points: int, base_amount: Decimal, explanation: str, **kw: Any) -> tuple[Award, ...]:
        if points <= 0:
            return ()
        return (
            Award(
                rule_id=self.id,
                rule_code=self.code,
                rule_name=self.name,
                kind=self.kind,
                points=points,
                base_amount=base_amount,
                explanation=explanation,
                **kw,
            ),
        )


def default_boost() -> Boost:
    return Boost(Mode.MULTIPLY, Decimal("1"))


def bill_boost(rule: Rule, bill: Bill, boost: Boost, min_amount: Decimal, reason: str) -> tuple[Award, ...]:
    """A bill-level promotion: ``boost`` on the bill's (integer) base points."""
    if bill.eligible_net <= 0 or bill.eligible_net < min_amount:
        return ()
    points, phrase = boost.apply(bill.base_points)
    text = f"{reason}, bill {fmt_money(bill.eligible_net, bill.places)} {bill.currency}: {phrase}"
    return rule.award(
        points,
        bill.eligible_net,
        text,
        multiplier=boost.multiplier,
        extra=points if boost.mode == Mode.FIXED else None,
    )


R = TypeVar("R", bound=Rule)


@dataclass(frozen=True, slots=True)
class RuleHead:
    """What every stored rule has, whatever its kind (the ``EarnRule`` columns, compiled)."""

    id: int | None
    code: str
    name: str
    priority: int
    stop_further: bool
    scope: Scope
    when: When

    def make(self, cls: type[R], **params: Any) -> R:
        """``cls`` with this head and the kind's own fields (``params``, already typed)."""
        return cls(
            id=self.id, code=self.code, name=self.name, priority=self.priority,
            stop_further=self.stop_further, scope=self.scope, when=self.when, **params,
        )


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter a kind takes: its name in ``EarnRule.params`` (and in the form and the API)."""

    name: str
    help: str


@dataclass(frozen=True, slots=True)
class RuleKind:
    """One earning rule kind, as ``kinds/<kind>.py`` declares it and ``kinds.KINDS`` registers it.

    ``clean`` turns raw parameters (form, API, import) into the normalized ones stored in
    ``EarnRule.params``, raising ``DomainError(RULE_PARAMS_INVALID, field=...)``; parameters the
    kind does not take are refused before it runs (``params.validate_params``). ``build`` turns a
    stored rule into its engine object; ``explain`` is the short summary shown in lists.
    """

    code: str
    label: Label
    description: Label
    params: tuple[Param, ...]
    rule_class: type[Rule]
    clean: Callable[[Params], dict[str, Any]]
    build: Callable[[RuleHead, Params], Rule]
    explain: Callable[[Params], str]
    needs_time_window: bool = False  # refused without a daily window (golden minute)

    @property
    def param_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)
