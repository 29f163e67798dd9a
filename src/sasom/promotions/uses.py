"""A promotion's uses: read at quote time, locked and counted at commit, given back on a void.

``Promotion.uses`` counts the committed bills a promotion applied to, net of reversals;
``PromotionUse`` is one row per promotion and sale (times, discount, units, member). Per-member
limits read this member's rows that are not reversed; budgets read ``Promotion.uses``.

**Lock order** (docs/promotions.md, "At the till"): a commit locks the ``Promotion`` rows that
carry a budget or a per-member limit and that the basket can touch, in id order, before it prices
the basket for good; the counts read under that lock decide (a promotion whose budget ran out is
simply not applicable: the basket is priced without it). Counters move with ``F()`` on the locked
rows, never read-then-write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from sasom.ledger.services.promotion_uses import SaleUses
from sasom.promotions.models import Promotion, PromotionUse

Counts = tuple[dict[int, int], dict[int, int]]  # (promotion id -> bills of this member, -> bills in all)


def uses_read(organization_id: int, *, budgeted: Iterable[int], per_member: Iterable[int],
              member_id: int | None, lock: bool = False) -> Counts:
    """The counts the engine's limits read (``Context.uses_total``, ``Context.uses_by_member``).
    No promotion with a limit: no query.

    Without ``lock`` (the till's pricing; the fast path's function counts again under its locks)
    it is **one** statement: the promotions' ``uses`` and this member's bills as a subquery.
    With ``lock`` (inside the caller's transaction) the rows are locked first, in id order, and
    the member's bills are counted by a second statement: a subquery of the locking statement
    reads with the snapshot taken before it waited for the locks, so it would miss a use
    committed meanwhile (the per-member limit's race, ``checkout/tests/test_promotions_concurrency.py``)."""
    budget_ids, member_ids = set(budgeted), set(per_member)
    total: dict[int, int] = {}
    by_member: dict[int, int] = {}
    every = sorted(budget_ids | member_ids)
    if not every:
        return by_member, total
    rows = Promotion.objects.filter(organization_id=organization_id, pk__in=every).order_by("pk")
    member = member_id if member_ids else None  # whose bills are counted (None: nobody's)
    if lock:
        rows = rows.select_for_update()
    elif member is not None:
        mine = (PromotionUse.objects.filter(organization_id=organization_id, promotion_id=OuterRef("pk"),
                                            member_id=member, reversed=False)
                .order_by().values("promotion_id").annotate(n=Count("id")).values("n"))
        for pk, uses, n in rows.annotate(mine=Coalesce(Subquery(mine), 0)).values_list("pk", "uses", "mine"):
            if pk in budget_ids:
                total[pk] = uses
            if pk in member_ids and n:
                by_member[pk] = n
        return by_member, total
    for pk, uses in rows.values_list("pk", "uses"):
        if pk in budget_ids:
            total[pk] = uses
    if member is not None:
        by_member = dict(
            PromotionUse.objects.filter(organization_id=organization_id, promotion_id__in=sorted(member_ids),
                                        member_id=member, reversed=False)
            .values_list("promotion_id").annotate(n=Count("id")).values_list("promotion_id", "n")
        )
    return by_member, total


def uses_of_plans(posted: Sequence[SaleUses]) -> None:
    """The ORM and bulk writers' hook (``ledger.services.promotion_uses``): each posted sale's
    ``PromotionUse`` rows, and each promotion's ``uses`` moved by the bills it applied to (the
    caller holds the locks of the limited ones; ``checkout.promo_commit``). The PostgreSQL
    function writes the same rows (``ledger/sql/sale_post.sql``)."""
    rows = [PromotionUse(organization_id=p.organization_id, promotion_id=u.promotion_id, sale_id=p.sale_id,
                         member_id=p.member_id, occurred_at=p.occurred_at, times=u.times, discount=u.discount,
                         units=u.units)
            for p in posted for u in p.uses]
    if not rows:
        return
    PromotionUse.objects.bulk_create(rows)
    bills: dict[tuple[int, int], int] = {}  # (organization, promotion) -> bills
    for r in rows:
        bills[(r.organization_id, r.promotion_id)] = bills.get((r.organization_id, r.promotion_id), 0) + 1
    by_count: dict[tuple[int, int], list[int]] = {}  # (organization, bills) -> promotions: one UPDATE each
    for (organization_id, promotion_id), n in bills.items():
        by_count.setdefault((organization_id, n), []).append(promotion_id)
    for (organization_id, n), ids in sorted(by_count.items()):
        Promotion.objects.filter(organization_id=organization_id, pk__in=sorted(ids)).update(uses=F("uses") + n)


def uses_reverse(*, organization_id: int, sale_id: int, keep: Iterable[int] = ()) -> int:
    """Mark the sale's uses reversed and give each promotion's count (its budget) back, once;
    the uses of the promotions in ``keep`` stay (a partial return whose remainder still gets
    them), and one an earlier partial return gave back counts again when the remainder gets that
    promotion again (a smaller remainder may: "4 for 50" no longer takes the units "buy 2 get 1"
    then frees one of). Returns how many uses were reversed."""
    kept = set(keep)
    rows = list(PromotionUse.objects.filter(organization_id=organization_id, sale_id=sale_id)
                .values_list("promotion_id", "reversed"))
    ids = [pk for pk, reversed_ in rows if not reversed_ and pk not in kept]
    again = [pk for pk, reversed_ in rows if reversed_ and pk in kept]
    if not ids and not again:
        return 0
    list(Promotion.objects.filter(organization_id=organization_id, pk__in=sorted({*ids, *again})).order_by("pk")
         .select_for_update().values_list("pk", flat=True))
    if again:
        PromotionUse.objects.filter(organization_id=organization_id, sale_id=sale_id, reversed=True,
                                    promotion_id__in=again).update(reversed=False)
        Promotion.objects.filter(organization_id=organization_id, pk__in=again).update(uses=F("uses") + 1)
    if not ids:
        return 0
    PromotionUse.objects.filter(organization_id=organization_id, sale_id=sale_id, reversed=False,
                                promotion_id__in=ids).update(reversed=True)
    Promotion.objects.filter(organization_id=organization_id, pk__in=ids, uses__gt=0).update(uses=F("uses") - 1)
    return len(ids)
