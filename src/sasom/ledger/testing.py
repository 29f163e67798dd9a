"""``assert_ledger_consistent(account)``: the ledger invariant, checked after every test scenario.

With ``signed(e) = e.sign * e.amount`` over the account's entries:

    sum(signed(e))            == spendable + pending - debt
    sum(open lots' remaining) == spendable + pending
    sum(remaining of pending lots) == pending
    sum(e.debt_delta)         == debt
    sum(earn) - sum(return/void debits that reverse an earn) == lifetime_earned
    every lot: 0 <= remaining <= amount; amount - remaining == sum of its draws
    spendable >= 0, pending >= 0, debt >= 0, and debt > 0 only when nothing is left to draw.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Q, Sum, When

from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount


def assert_ledger_consistent(account: PointAccount) -> None:
    account = PointAccount.objects.get(pk=account.pk)
    entries = Entry.objects.filter(account=account)
    sums = entries.aggregate(
        signed=Sum(F("sign") * F("amount")),
        debt=Sum("debt_delta"),
        earned=Sum(Case(When(kind=Entry.Kind.EARN, then=F("amount")), default=0, output_field=IntegerField())),
        unearned=Sum(
            Case(
                When(Q(sign=-1, reverses__kind=Entry.Kind.EARN), then=F("amount")),
                default=0,
                output_field=IntegerField(),
            )
        ),
    )
    signed, debt = sums["signed"] or 0, sums["debt"] or 0
    lots = Lot.objects.filter(account=account)
    open_sum = lots.aggregate(s=Sum("remaining"))["s"] or 0
    pending_sum = lots.filter(is_pending=True).aggregate(s=Sum("remaining"))["s"] or 0
    state = (
        f"account {account.pk}: spendable={account.spendable} pending={account.pending} debt={account.debt} "
        f"lifetime={account.lifetime_earned}; entries={signed} lots={open_sum} pending_lots={pending_sum} debt_deltas={debt}"
    )
    assert account.spendable >= 0 and account.pending >= 0 and account.debt >= 0, state
    assert signed == account.spendable + account.pending - account.debt, state
    assert open_sum == account.spendable + account.pending, state
    assert pending_sum == account.pending, state
    assert debt == account.debt, state
    assert (sums["earned"] or 0) - (sums["unearned"] or 0) == account.lifetime_earned, state
    assert account.debt == 0 or open_sum == 0, state
    every_lot = list(lots)
    # by the lots' ids, not a join on the account: inside a test's transaction the tables' statistics
    # say "empty", and PostgreSQL then scanned every draw once per account (minutes for 1,200 accounts)
    drawn = dict(
        LotDraw.objects.filter(lot_id__in=[lot.pk for lot in every_lot]).values("lot").annotate(s=Sum("amount"))
        .values_list("lot", "s")
    ) if every_lot else {}
    for lot in every_lot:
        assert 0 <= lot.remaining <= lot.amount, f"lot {lot.pk} {lot.remaining}/{lot.amount}"
        assert lot.amount - lot.remaining == drawn.get(lot.pk, 0), f"lot {lot.pk} draws disagree ({state})"
    assert not Entry.objects.filter(account=account, amount__lte=0).exists()
