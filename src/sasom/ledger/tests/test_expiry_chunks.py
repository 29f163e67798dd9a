"""The expiry job over many accounts: chunks of accounts, each expired set-based, give exactly the
entries, draws and balances of expiring account by account."""

from __future__ import annotations

import datetime as dt

from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount
from sasom.ledger.services import points_expire_due
from sasom.ledger.services.core import expire_lots
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at
from sasom.members.models import Member

EARNED = at(2026, 1, 10)
DUE = dt.date(2026, 3, 31)  # past on 1 April
LATER = dt.date(2027, 3, 31)


def _shop_with_accounts(org, member_type, count: int) -> list[PointAccount]:
    """``count`` members, each with an account holding (by its position n):

    * a due lot of 10 + n % 7 points, of which n % 3 were spent by a redemption (so spent points
      are in the ledger too), pending for every 5th account;
    * every 4th account a second due lot of 3 points;
    * a lot of 20 points expiring next year (never touched);
    * every 6th account nothing due at all (only the next-year lot).
    """
    members = Member.objects.bulk_create(
        Member(organization=org, member_type=member_type, code=f"X{n:06d}", phone=f"+66820{n:06d}",
               first_name="สมศรี", last_name="มีแต้ม", joined_on=dt.date(2026, 1, 1))
        for n in range(count)
    )
    accounts = PointAccount.objects.bulk_create(PointAccount(organization=org, member=m) for m in members)
    plans = []  # (account, [(points, expires_on, pending)], spent)
    for n, account in enumerate(accounts):
        lots = [(20, LATER, False)]
        if n % 6:
            lots.insert(0, (10 + n % 7, DUE, n % 5 == 0))
            if n % 4 == 0:
                lots.insert(1, (3, DUE, False))
        plans.append((account, lots, 0 if n % 5 == 0 else n % 3))
    earns = Entry.objects.bulk_create(
        Entry(organization=org, account=account, kind=Entry.Kind.EARN, sign=1, amount=points,
              occurred_at=EARNED, recorded_at=EARNED)
        for account, lots, _spent in plans for points, _on, _pending in lots
    )
    made, i = [], 0
    for account, lots, _spent in plans:
        for points, on, pending in lots:
            made.append(Lot(organization=org, account=account, entry=earns[i], amount=points, remaining=points,
                            earned_at=EARNED, expires_on=on, is_pending=pending,
                            pending_until=at(2026, 12, 31) if pending else None))
            i += 1
    lots_made = Lot.objects.bulk_create(made)
    redeems, draws, i = [], [], 0
    for account, lots, spent in plans:
        mine = lots_made[i : i + len(lots)]
        i += len(lots)
        account.spendable = sum(lot.amount for lot in mine if not lot.is_pending) - spent
        account.pending = sum(lot.amount for lot in mine if lot.is_pending)
        account.lifetime_earned = sum(lot.amount for lot in mine)
        if spent:
            first = mine[0]  # the soonest-expiring spendable lot pays, as a redemption would
            first.remaining -= spent
            redeems.append(Entry(organization=org, account=account, kind=Entry.Kind.REDEEM, sign=-1, amount=spent,
                                 occurred_at=EARNED, recorded_at=EARNED))
            draws.append((first, spent))
    Entry.objects.bulk_create(redeems)
    LotDraw.objects.bulk_create(
        LotDraw(organization=org, entry=entry, lot=lot, amount=spent) for entry, (lot, spent) in zip(redeems, draws, strict=True)
    )
    Lot.objects.bulk_update([lot for lot, _ in draws], ["remaining"])
    PointAccount.objects.bulk_update(accounts, ["spendable", "pending", "lifetime_earned"])
    return accounts


def _expected(accounts: list[PointAccount], today: dt.date) -> dict[int, dict]:
    """What expiring account by account gives: the sum of each account's due lots' remaining, the
    lot ids in id order, one draw per lot, the balances after."""
    out = {}
    for account in accounts:
        account = PointAccount.objects.get(pk=account.pk)
        due = list(Lot.objects.filter(account=account, remaining__gt=0, expires_on__lt=today).order_by("pk"))
        if not due:
            continue
        out[account.pk] = {
            "amount": sum(lot.remaining for lot in due),
            "lots": [lot.pk for lot in due],
            "draws": sorted((lot.pk, lot.remaining) for lot in due),
            "spendable": account.spendable - sum(lot.remaining for lot in due if not lot.is_pending),
            "pending": account.pending - sum(lot.remaining for lot in due if lot.is_pending),
        }
    return out


def test_a_chunked_run_over_1200_accounts_expires_exactly_what_is_due(org, member_type, django_assert_max_num_queries):
    # given 1,200 members' accounts, most with points that expired at the end of March
    accounts = _shop_with_accounts(org, member_type, 1200)
    today = dt.date(2026, 4, 1)
    expected = _expected(accounts, today)
    assert len(expected) == 1000  # every 6th account has nothing due
    # when the nightly job runs in chunks of 500 accounts (3 chunks)
    now = at(2026, 4, 1, 0, 5)
    with django_assert_max_num_queries(60):  # a handful of statements per chunk, not per account
        expired = points_expire_due(organization_id=org.pk, now=now, chunk=500)
    # then every account with due lots got one expire entry drawing exactly its due lots
    assert expired == sum(e["amount"] for e in expected.values())
    entries = {e.account_id: e for e in Entry.objects.filter(kind=Entry.Kind.EXPIRE)}
    assert set(entries) == set(expected)
    for account_id, want in expected.items():
        entry = entries[account_id]
        assert (entry.sign, entry.amount, entry.actor_label, entry.debt_delta) == (-1, want["amount"], "system", 0)
        assert entry.explanation == {"expired_on": "2026-04-01", "lots": want["lots"]}
        assert (entry.occurred_at, entry.recorded_at, entry.organization_id) == (now, now, org.pk)
        assert sorted(entry.draws.values_list("lot_id", "amount")) == want["draws"]
        account = PointAccount.objects.get(pk=account_id)
        assert (account.spendable, account.pending) == (want["spendable"], want["pending"])
    # and spent points never expire: only what remained was drawn; next year's lots are untouched
    assert not Lot.objects.filter(expires_on=DUE, remaining__gt=0).exists()
    assert set(Lot.objects.filter(expires_on=LATER).values_list("remaining", flat=True)) == {20}
    for account in accounts:
        assert_ledger_consistent(account)
    # and a second run expires nothing more
    assert points_expire_due(organization_id=org.pk, now=now, chunk=500) == 0
    assert Entry.objects.filter(kind=Entry.Kind.EXPIRE).count() == 1000


def test_chunked_and_account_by_account_expiry_agree(org, member_type):
    # given the same kind of accounts expired three ways: the chunked job (chunks of 7; one
    # statement per chunk on PostgreSQL), its portable ORM path (what SQLite runs), and the
    # per-account ``expire_lots`` the job used before
    accounts = _shop_with_accounts(org, member_type, 42)
    today = dt.date(2026, 4, 1)
    now = at(2026, 4, 1, 0, 5)
    expected = _expected(accounts, today)
    from sasom.ledger.services.expiry import expire_accounts

    ids = [a.pk for a in accounts]
    for start in range(0, 14, 7):
        expire_accounts(ids[start : start + 7], today=today, now=now)
    for start in range(14, 28, 7):
        expire_accounts(ids[start : start + 7], today=today, now=now, portable=True)
    for account in accounts[28:]:
        account = PointAccount.objects.get(pk=account.pk)
        expire_lots(account, list(Lot.objects.filter(account=account).order_by("pk")), today=today, now=now)
        account.save(update_fields=["spendable", "pending"])
    # then all three give, account by account, the same entry, draws and balances
    for account_id, want in expected.items():
        entry = Entry.objects.get(kind=Entry.Kind.EXPIRE, account_id=account_id)
        account = PointAccount.objects.get(pk=account_id)
        got = {
            "amount": entry.amount,
            "lots": entry.explanation["lots"],
            "draws": sorted(entry.draws.values_list("lot_id", "amount")),
            "spendable": account.spendable,
            "pending": account.pending,
        }
        assert got == want
        assert entry.explanation == {"expired_on": "2026-04-01", "lots": want["lots"]}
        fields = (entry.sign, entry.actor_label, entry.debt_delta, entry.occurred_at, entry.recorded_at)
        assert fields == (-1, "system", 0, now, now)
        assert (entry.source_type, entry.source_id, entry.reason, entry.idempotency_key) == ("", "", "", None)
    assert Entry.objects.filter(kind=Entry.Kind.EXPIRE).count() == len(expected)
    assert {a for a in expected if a in ids[:14]} and {a for a in expected if a in ids[14:28]}


def test_each_expire_entry_is_announced_with_the_balances_it_left(org, member_type):
    # given 30 accounts with due lots and a subscriber to the organization's expiry events
    from sasom.core.events import POINTS_EXPIRED, subscribe

    accounts = _shop_with_accounts(org, member_type, 30)
    today = dt.date(2026, 4, 1)
    expected = _expected(accounts, today)
    seen = []
    undo = subscribe(POINTS_EXPIRED, seen.append, wants=lambda organization_id: organization_id == org.pk)
    try:
        # when the job runs in chunks of 7 (one statement per chunk on PostgreSQL)
        points_expire_due(organization_id=org.pk, now=at(2026, 4, 1, 0, 5), chunk=7)
    finally:
        undo()
    # then every expire entry was announced once, with its member and the balances it left
    entries = {e.pk: e for e in Entry.objects.filter(kind=Entry.Kind.EXPIRE).select_related("account__member")}
    assert sorted(event.payload["entry_id"] for event in seen) == sorted(entries)
    for event in seen:
        entry = entries[event.payload["entry_id"]]
        want = expected[entry.account_id]
        assert (event.kind, event.organization_id, event.payload["points"]) == (POINTS_EXPIRED, org.pk, -want["amount"])
        assert event.payload["member"] == entry.account.member.code
        assert event.payload["balance"] == {"spendable": want["spendable"], "pending": want["pending"], "debt": 0}
