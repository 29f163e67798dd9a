"""Redeeming rewards, cancelling a redemption, buying missing points.

Lock order, everywhere in this app: the member's point account first (through the ledger's lock
helper), then the reward row (or its branch stock row), then the redemption or coupon row. Stock
changes with a conditional ``F()`` update (``stock >= quantity``), never read-then-write, so two
counters racing for the last item cannot both win and the stock never goes below zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError, Forbidden, NotFound
from sasom.core.permissions import branch_ids_in_scope
from sasom.members.models import Member
from sasom.members.selectors import member_benefits
from sasom.members.services import sequence_take
from sasom.organizations.models import Branch, Staff

from .. import errors as E
from .. import points as ledger
from ..models import PointsPurchase, Redemption, Reward, RewardSettings, RewardStock
from ..pricing import purchase_amount
from ..selectors import local_today, member_redeemed_count, member_tier, tier_allowed

REDEMPTION_SEQUENCE = "redemption_slip"


def ensure_branch_allowed(staff: Staff | None, branch: Branch) -> None:
    """Branch-scoped staff act only at their branches (and only on that branch's stock)."""
    if staff is None:
        return
    if branch.organization_id != staff.organization_id:
        raise Forbidden(E.BRANCH_NOT_ALLOWED, _("This branch belongs to another organization."), field="branch")
    scope = branch_ids_in_scope(staff)
    if scope is not None and branch.pk not in scope:
        raise Forbidden(E.BRANCH_NOT_ALLOWED, _("You do not work at this branch."), field="branch")


def ensure_member(member: Member, organization_id: int, now: dt.datetime | None = None) -> None:
    if member.organization_id != organization_id:
        raise NotFound(E.MEMBER_NOT_FOUND, _("No such member."), field="member")
    ensure_benefits(member, now)


def ensure_benefits(member: Member, now: dt.datetime | None = None) -> None:
    """Refuse a member who may not spend: suspended, closed or anonymized; or whose card has
    expired (by status, or by date before the nightly job marks it) where the member type says
    benefits stop on expiry (``members.selectors.member_benefits``, the same rule as earning)."""
    benefits = member_benefits(member, local_today(member.organization, now))
    if benefits.active:
        return
    if benefits.reason == Member.Status.EXPIRED:
        raise DomainError(E.MEMBER_EXPIRED, _("This member's card has expired; renew it to use rewards and coupons."),
                          field="member")
    raise DomainError(E.MEMBER_NOT_ACTIVE, _("This member is not active."), field="member")


def _slip_number(organization_id: int) -> str:
    return f"RD{sequence_take(organization_id=organization_id, name=REDEMPTION_SEQUENCE):07d}"


def reward_check(*, member: Member, reward: Reward, quantity: int, now: dt.datetime) -> None:
    """Refuse with the first reason the member cannot have ``quantity`` of ``reward`` (stock and
    points are checked by the caller under lock)."""
    today = local_today(member.organization, now)
    if (
        not reward.is_active
        or (reward.valid_from_on and today < reward.valid_from_on)
        or (reward.valid_to_on and today > reward.valid_to_on)
    ):
        raise DomainError(E.REWARD_NOT_AVAILABLE, _("This reward is not offered today."), field="reward")
    allowed = set(reward.member_types.values_list("pk", flat=True))
    if allowed and member.member_type_id not in allowed:
        raise DomainError(
            E.NOT_ALLOWED_FOR_MEMBER_TYPE, _("This reward is not offered to this member type."), field="reward"
        )
    if reward.tiers and not tier_allowed(reward.tiers, member_tier(member)):
        raise DomainError(E.NOT_ALLOWED_FOR_TIER, _("This reward is only for members of some tiers."), field="reward")
    if reward.limit_quantity is not None:
        used = member_redeemed_count(member, reward, now=now)
        if used + quantity > reward.limit_quantity:
            raise DomainError(
                E.LIMIT_REACHED,
                _("Limit reached: %(used)s of %(limit)s already redeemed.") % {"used": used, "limit": reward.limit_quantity},
                field="reward",
            )


def _take_stock(reward: Reward, branch: Branch, quantity: int) -> None:
    if reward.stock_mode == Reward.StockMode.UNLIMITED:
        return
    if reward.stock_mode == Reward.StockMode.GLOBAL:
        taken = Reward.objects.filter(pk=reward.pk, stock__gte=quantity).update(stock=F("stock") - quantity)
    else:
        taken = RewardStock.objects.filter(reward=reward, branch=branch, quantity__gte=quantity).update(
            quantity=F("quantity") - quantity
        )
    if not taken:
        raise Conflict(E.OUT_OF_STOCK, _("Out of stock."), field="reward")


def _put_back_stock(reward: Reward, branch: Branch, quantity: int) -> None:
    if reward.stock_mode == Reward.StockMode.GLOBAL:
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + quantity)
    elif reward.stock_mode == Reward.StockMode.PER_BRANCH:
        RewardStock.objects.get_or_create(organization_id=reward.organization_id, reward=reward, branch=branch)
        RewardStock.objects.filter(reward=reward, branch=branch).update(quantity=F("quantity") + quantity)


def _purchase_settings(organization_id: int) -> tuple[RewardSettings, Decimal]:
    """The settings and their point price, or a refusal when buying points is not offered."""
    settings = RewardSettings.objects.filter(organization_id=organization_id).first()
    if settings is None or settings.point_price is None or settings.purchase_max_points == 0:
        raise DomainError(E.POINTS_PURCHASE_DISABLED, _("Buying points is not offered."), field="buy_points")
    return settings, settings.point_price


@transaction.atomic
def points_purchase(
    *,
    member: Member,
    points: int,
    payment_reference: str,
    actor: Actor,
    branch: Branch | None = None,
    account: object | None = None,
) -> PointsPurchase:
    """Credit ``points`` the member pays for at the organization's price per point.

    At most ``purchase_max_points`` per redemption. The money is taken by the POS/cashier; its
    receipt number is the ``payment_reference``, by which :func:`points_purchase_void_for_payment`
    voids the purchase when that sale is voided.
    """
    ensure_member(member, member.organization_id)
    if points < 1:
        raise DomainError(E.QUANTITY_INVALID, _("Enter how many points to buy."), field="buy_points")
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise DomainError(
            E.PAYMENT_REFERENCE_REQUIRED, _("Enter the receipt number of the payment."), field="payment_reference"
        )
    settings, point_price = _purchase_settings(member.organization_id)
    if points > settings.purchase_max_points:
        raise DomainError(
            E.POINTS_PURCHASE_OVER_LIMIT,
            _("At most %(max)s points can be bought per redemption.") % {"max": settings.purchase_max_points},
            field="buy_points",
        )
    account = account or ledger.lock_account(member)
    purchase = PointsPurchase.objects.create(
        organization_id=member.organization_id,
        member=member,
        branch=branch,
        points=points,
        point_price=point_price,
        amount=purchase_amount(points=points, point_price=point_price),
        payment_reference=payment_reference,
    )
    purchase.entry_id = ledger.buy(
        account, points=points, actor=actor, payment_reference=payment_reference,
        source_type="rewards.pointspurchase", source_id=str(purchase.pk), branch=branch,
    )
    purchase.save(update_fields=["entry_id"])
    audit_record(
        organization_id=member.organization_id, actor=actor, action="points.purchase", obj=purchase,
        object_repr=f"{member.code} +{points}",
        changes={"points": [0, points], "amount": [None, str(purchase.amount)], "payment_reference": [None, payment_reference]},
    )
    return purchase


@transaction.atomic
def points_purchase_void(*, purchase: PointsPurchase, actor: Actor, reason: str) -> PointsPurchase:
    """Undo a purchase (its sale was voided): the bought points leave the account, once."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(E.REASON_REQUIRED, _("Give a reason."), field="reason")
    member = purchase.member
    account = ledger.lock_account(member)
    purchase = PointsPurchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status == PointsPurchase.Status.VOIDED:
        raise Conflict(E.ALREADY_CANCELLED, _("This purchase is already voided."))
    purchase.void_entry_id = ledger.take_back(
        account, entry_id=purchase.entry_id, actor=actor,
        source_type="rewards.pointspurchase", source_id=str(purchase.pk), reason=reason,
    )
    purchase.status = PointsPurchase.Status.VOIDED
    purchase.voided_at = timezone.now()
    purchase.void_reason = reason[:200]
    purchase.save(update_fields=["void_entry_id", "status", "voided_at", "void_reason"])
    audit_record(
        organization_id=purchase.organization_id, actor=actor, action="points.purchase_void", obj=purchase,
        changes={"status": [PointsPurchase.Status.DONE, PointsPurchase.Status.VOIDED]}, reason=reason,
    )
    return purchase


def points_purchase_void_for_payment(*, organization_id: int, payment_reference: str, actor: Actor, reason: str) -> int:
    """Void every purchase paid by the sale ``payment_reference`` (called when that sale is voided)."""
    count = 0
    for purchase in PointsPurchase.objects.filter(
        organization_id=organization_id, payment_reference=payment_reference, status=PointsPurchase.Status.DONE
    ).select_related("member"):
        points_purchase_void(purchase=purchase, actor=actor, reason=reason)
        count += 1
    return count


@transaction.atomic
def reward_redeem(
    *,
    member: Member,
    reward: Reward,
    branch: Branch,
    actor: Actor,
    staff: Staff | None = None,
    quantity: int = 1,
    buy_points: int = 0,
    payment_reference: str = "",
    now: dt.datetime | None = None,
) -> Redemption:
    """Give the member ``quantity`` of ``reward`` at ``branch`` for points.

    Checks, in order, each refusal with its code and nothing changed: member active, branch in the
    staff's scope, reward offered today, member type allowed, per-member limit, enough points (or
    exactly the missing points bought), stock. Points are spent from the soonest-expiring lots;
    the slip number comes from the organization's ``redemption_slip`` sequence.
    """
    now = now or timezone.now()
    org_id = reward.organization_id
    ensure_member(member, org_id, now)
    if branch.organization_id != org_id:
        raise Forbidden(E.BRANCH_NOT_ALLOWED, _("This branch belongs to another organization."), field="branch")
    ensure_branch_allowed(staff, branch)
    if quantity < 1:
        raise DomainError(E.QUANTITY_INVALID, _("Enter a quantity of at least 1."), field="quantity")
    account = ledger.lock_account(member)
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    reward_check(member=member, reward=reward, quantity=quantity, now=now)
    cost = reward.points_cost * quantity
    shortfall = max(cost - account.spendable, 0)
    if buy_points and buy_points != shortfall:
        raise DomainError(
            E.QUANTITY_INVALID,
            _("Only the missing %(n)s points can be bought.") % {"n": shortfall},
            field="buy_points",
        )
    if shortfall and not buy_points:
        raise DomainError(
            E.INSUFFICIENT_POINTS,
            _("Not enough points: %(have)s spendable, %(want)s needed.") % {"have": account.spendable, "want": cost},
            field="reward",
        )
    _take_stock(reward, branch, quantity)
    purchase = None
    if buy_points:
        purchase = points_purchase(
            member=member, points=buy_points, payment_reference=payment_reference, actor=actor,
            branch=branch, account=account,
        )
    redemption = Redemption.objects.create(
        organization_id=org_id,
        number=_slip_number(org_id),
        member=member,
        reward=reward,
        branch=branch,
        quantity=quantity,
        points=cost,
        cash_copay=reward.cash_copay * quantity,
        purchase=purchase,
        created_by_id=actor.user_id,
    )
    redemption.spend_entry_id = ledger.spend(
        account, points=cost, actor=actor, source_type="rewards.redemption", source_id=redemption.number,
        branch=branch, reason=reward.name,
    )
    redemption.save(update_fields=["spend_entry_id"])
    audit_record(
        organization_id=org_id, actor=actor, action="reward.redeem", obj=redemption,
        object_repr=f"{redemption.number} {member.code} {reward.code}",
        changes={"points": [0, cost], "quantity": [0, quantity], "reward": [None, reward.code]},
    )
    return redemption


@transaction.atomic
def redemption_cancel(
    *, redemption: Redemption, actor: Actor, reason: str, staff: Staff | None = None
) -> Redemption:
    """Cancel a redemption (wrong item), once, with a reason: the points come back as new lots
    keeping their original expiry, and the stock goes back where it was taken."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(E.REASON_REQUIRED, _("Give the reason for cancelling."), field="reason")
    ensure_branch_allowed(staff, redemption.branch)
    account = ledger.lock_account(redemption.member)
    reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status == Redemption.Status.CANCELLED:
        raise Conflict(E.ALREADY_CANCELLED, _("This redemption is already cancelled."))
    redemption.return_entry_id = ledger.give_back(
        account, entry_id=redemption.spend_entry_id, points=None, actor=actor,
        source_type="rewards.redemption_cancel", source_id=redemption.number, reason=reason,
    )
    _put_back_stock(reward, redemption.branch, redemption.quantity)
    redemption.status = Redemption.Status.CANCELLED
    redemption.cancelled_at = timezone.now()
    redemption.cancelled_by_id = actor.user_id
    redemption.cancel_reason = reason[:200]
    redemption.save(update_fields=["return_entry_id", "status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(
        organization_id=redemption.organization_id, actor=actor, action="reward.redemption_cancel",
        obj=redemption, object_repr=f"{redemption.number} {reward.code}",
        changes={"status": [Redemption.Status.DONE, Redemption.Status.CANCELLED], "points_returned": [0, redemption.points]},
        reason=reason,
    )
    return redemption
