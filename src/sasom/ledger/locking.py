"""The one place that locks point accounts.

Every change to a balance (earn, spend, return, void, expire, release, adjust) first locks the
account rows it touches with ``SELECT ... FOR UPDATE``, several accounts in primary-key order, so
two transactions that both need accounts A and B always ask for A first and cannot deadlock.
Lots and entries of an account are written only while its row is locked, so lots need no locks
of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from sasom.ledger.models import PointAccount


def lock_accounts(account_ids: Iterable[int]) -> dict[int, PointAccount]:
    """Lock the given accounts (primary-key order) and return them fresh from the database.

    The organization and its points settings come with the same query (``of=("self",)`` keeps
    the lock on the account row only).
    """
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = (
        PointAccount.objects.select_for_update(of=("self",))
        .select_related("organization", "organization__ledger_settings")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    locked = {a.pk: a for a in rows}
    if len(locked) != len(ids):
        raise PointAccount.DoesNotExist(f"accounts not found: {sorted(set(ids) - set(locked))}")
    return locked


def lock_account_ids(account_ids: Iterable[int]) -> list[int]:
    """Lock the given accounts (primary-key order) without loading them: for set-based writers
    whose next statement reads what it needs. Returns the ids found, in that order."""
    ids = sorted(set(account_ids))
    if not ids:
        return []
    return list(PointAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def lock_account(account_id: int) -> PointAccount:
    return lock_accounts([account_id])[account_id]


def lock_account_for_member(*, organization_id: int, member_id: int) -> PointAccount:
    """Lock the member's account, creating it first if the member never had one."""
    account = _select_locked(organization_id, member_id)
    if account is None:
        try:
            with transaction.atomic():
                PointAccount.objects.create(organization_id=organization_id, member_id=member_id)
        except IntegrityError:
            pass  # created by a concurrent transaction: lock theirs
        account = _select_locked(organization_id, member_id)
        assert account is not None
    return account


def _select_locked(organization_id: int, member_id: int) -> PointAccount | None:
    return (
        PointAccount.objects.select_for_update(of=("self",))
        .select_related("organization", "organization__ledger_settings")
        .filter(organization_id=organization_id, member_id=member_id)
        .first()
    )
