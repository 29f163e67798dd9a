"""Spend promotion with steps (ยอดซื้อขั้นบันได): the highest step reached (docs/points.md 3.4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.core.errors import DomainError
from sasom.earning.arithmetic import Boost, fmt_money
from sasom.earning.bill import Bill
from sasom.earning.domain import Award
from sasom.earning.kinds._common import Kind, Param, Params, Rule, RuleHead, RuleKind, bill_boost
from sasom.earning.kinds._params import UNKNOWN_PARAMETER, boost_of, boost_param, fail, money_param

STEP_PARAMS = frozenset({"min_amount", "mode", "value"})


@dataclass(frozen=True, slots=True)
class Step:
    min_amount: Decimal
    boost: Boost


@dataclass(frozen=True, slots=True)
class SpendRule(Rule):
    """Spend steps on the bill's eligible net; only the highest step reached applies."""

    steps: tuple[Step, ...] = ()

    kind: ClassVar[str] = Kind.SPEND

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        reached = [s for s in self.steps if bill.eligible_net >= s.min_amount]
        if not reached:
            return ()
        step = max(reached, key=lambda s: s.min_amount)
        return bill_boost(self, bill, step.boost, step.min_amount, f"step ≥ {fmt_money(step.min_amount, bill.places)}")


def parse_steps(text: str) -> list[dict[str, str]]:
    """``"2000 multiply 2"`` per line (amount, mode, value) → step dicts."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", "").split()
        if not parts:
            continue
        if len(parts) != 3:
            raise fail("steps", f"line {number}: write 'amount mode value', e.g. '2000 multiply 2'")
        rows.append({"min_amount": parts[0], "mode": parts[1], "value": parts[2]})
    return rows


def steps_text(steps: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['min_amount']} {s['mode']} {s['value']}" for s in steps)


def _refuse_unknown_in_step(number: int, row: Params) -> None:
    unknown = sorted(str(k) for k in row if k not in STEP_PARAMS)
    if unknown:
        raise DomainError(
            UNKNOWN_PARAMETER,
            f"step {number}: {unknown[0]!r} is not a step parameter (a step takes min_amount, mode and value)",
            field="steps",
        )


def clean(p: Params) -> dict[str, Any]:
    raw = p.get("steps")
    if isinstance(raw, str):
        raw = parse_steps(raw)
    if not raw:
        raise fail("steps", "add at least one step")
    steps = []
    for number, row in enumerate(raw, start=1):
        if isinstance(row, dict):
            _refuse_unknown_in_step(number, row)
        step = {"min_amount": money_param(row, "min_amount", strict=True)}
        try:
            step.update(boost_param(row))
        except DomainError as exc:
            raise fail("steps", f"step ≥ {step['min_amount']}: {exc.message}") from None
        steps.append(step)
    amounts = [Decimal(s["min_amount"]) for s in steps]
    if len(set(amounts)) != len(amounts):
        raise fail("steps", "two steps have the same minimum amount")
    return {"steps": sorted(steps, key=lambda s: Decimal(s["min_amount"]))}


def build(head: RuleHead, p: Params) -> SpendRule:
    steps = tuple(Step(Decimal(s["min_amount"]), boost_of(s)) for s in p["steps"])
    return head.make(SpendRule, steps=steps)


def explain(p: Params) -> str:
    return "; ".join(
        f"≥ {s['min_amount']} {Boost(s['mode'], Decimal(s['value'])).label()}" for s in p.get("steps", [])
    )


KIND = RuleKind(
    code=Kind.SPEND,
    label=_("Spend promotion (steps)"),
    description=_(
        "Steps on the bill's eligible net (e.g. ≥ 2,000 x2, ≥ 3,000 x3); only the highest step "
        "reached applies."
    ),
    params=(Param("steps", "steps of min_amount, mode and value; only the highest step reached applies"),),
    rule_class=SpendRule,
    clean=clean,
    build=build,
    explain=explain,
)
