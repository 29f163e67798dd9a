"""Variant 6: when a promotion may apply at all, checked before its rule runs.

* Who: members only, member types, tiers (an empty set = any). A walk-in customer (no member)
  fails ``members_only``, a member-type or a tier condition.
* Where: branches, terminals, salespersons, document types (the promotion plan).
* When: ``starts_at <= at < ends_at`` (the end is exclusive, DOMAIN.md 8); weekdays (0 = Monday)
  and hours ``hours_from <= time < hours_to`` read ``Context.at``, which is in the organization's
  zone. A window whose end is before its start runs over midnight (22:00-02:00).
* How often: ``per_member_limit`` bills per member (``Context.uses_by_member``; a walk-in has no
  count and is not limited), ``budget`` bills in all (``Context.uses_total``). The per-bill limit
  is not a condition: the resolver hands it to the rule as the most times it may apply.
"""

from __future__ import annotations

from datetime import time

from sasom.promotions.engine.types import Conditions, Context


def _named(allowed: frozenset[str], value: str) -> bool:
    return not allowed or value in allowed


def _in_hours(start: time | None, end: time | None, now: time) -> bool:
    if start is None and end is None:
        return True
    if start is not None and end is not None and end < start:  # over midnight
        return now >= start or now < end
    return (start is None or now >= start) and (end is None or now < end)


def conditions_met(c: Conditions, ctx: Context, promotion_id: int) -> bool:
    if (c.members_only or c.member_types or c.tiers) and not ctx.member:
        return False
    if not (_named(c.member_types, ctx.member_type) and _named(c.tiers, ctx.tier)):
        return False
    if not (
        _named(c.branches, ctx.branch)
        and _named(c.terminals, ctx.terminal)
        and _named(c.salespersons, ctx.salesperson)
        and _named(c.document_types, ctx.document_type)
    ):
        return False
    at = ctx.at
    if (c.starts_at is not None and at < c.starts_at) or (c.ends_at is not None and at >= c.ends_at):
        return False
    if c.weekdays and at.weekday() not in c.weekdays:
        return False
    if (c.hours_from is not None or c.hours_to is not None) and not _in_hours(
            c.hours_from, c.hours_to, at.time().replace(tzinfo=None)):
        return False
    if c.per_member_limit is not None and ctx.member and ctx.uses_by_member.get(promotion_id, 0) >= c.per_member_limit:
        return False
    return c.budget is None or ctx.uses_total.get(promotion_id, 0) < c.budget
