"""The rewards router and what its operations share: resolving codes within the caller's
organization, the caller's branch, and the API's own error codes.

Every operation passes its ``operation_id`` explicitly: django-ninja derives the default from the
view's module, and the operations once lived in one module, ``sasom.rewards.api``; the ids are part
of the published OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from sasom.core.errors import DomainError, Forbidden, NotFound
from sasom.core.inputs import query_known
from sasom.integrations.auth import Principal, api_auth
from sasom.members.models import Member, MemberType
from sasom.members.selectors import member_lookup
from sasom.organizations.models import Branch, Organization

from .. import errors as E
from ..api_schemas import MemberRef
from ..models import Coupon, CouponTemplate, Reward
from ..services import coupon_get

router = Router(tags=["rewards"], auth=api_auth)

E_MEMBER_REF_EMPTY = "lookup_needs_a_key"
E_REWARD_NOT_FOUND = "reward_not_found"
E_REDEMPTION_NOT_FOUND = "redemption_not_found"
E_TEMPLATE_NOT_FOUND = "coupon_template_not_found"
E_BRANCH_REQUIRED = "branch_required"
E_UNKNOWN_BRANCH = "unknown_branch"
E_UNKNOWN_MEMBER_TYPE = "unknown_member_type"


# --- resolving codes ----------------------------------------------------------------------------


def _known_query(request: HttpRequest, model: type[Schema]) -> None:
    query_known(request, model.model_fields)


def _clean(code: str, limit: int = 40) -> str | None:
    """A path code as stored (``None``: it cannot be one, so it is not found)."""
    code = (code or "").strip()
    return code if code and len(code) <= limit and "\x00" not in code else None


def _member(principal: Principal, ref: MemberRef) -> Member:
    if not (ref.code or ref.phone or ref.card):
        raise DomainError(E_MEMBER_REF_EMPTY, "Give the member's code, phone or card.", field="member")
    member = member_lookup(principal.organization_id, phone=ref.phone, card=ref.card, code=ref.code)
    if member is None:
        raise NotFound(E.MEMBER_NOT_FOUND, "No member matches.", field="member")
    return member


def _branch(principal: Principal, code: str | None) -> Branch:
    """Where the caller acts: a branch-scoped key's own branch, else the branch named."""
    code = (code or "").strip()
    if principal.branch_id:
        branch = Branch.objects.get(pk=principal.branch_id)
        if code and code != branch.code:
            raise Forbidden(E.BRANCH_NOT_ALLOWED, f"This key acts at branch {branch.code} only.", field="branch")
        return branch
    if not code:
        raise DomainError(E_BRANCH_REQUIRED, "Give the branch code.", field="branch")
    named = Branch.objects.filter(organization_id=principal.organization_id, code=code).first()
    if named is None:
        raise NotFound(E_UNKNOWN_BRANCH, f"No branch '{code}'.", field="branch")
    return named


def _staff(principal: Principal) -> Any:
    return None if principal.is_key else principal.staff


def _reward(principal: Principal, code: str, field: str = "code") -> Reward:
    clean = _clean(code)
    reward = Reward.objects.filter(organization_id=principal.organization_id, code=clean.upper()).first() if clean else None
    if reward is None:
        raise NotFound(E_REWARD_NOT_FOUND, "No reward with this code.", field=field)
    return reward


def _template(principal: Principal, code: str, field: str = "code") -> CouponTemplate:
    clean = _clean(code)
    template = (
        CouponTemplate.objects.filter(organization_id=principal.organization_id, code=clean.upper()).first()
        if clean else None
    )
    if template is None:
        raise NotFound(E_TEMPLATE_NOT_FOUND, "No coupon type with this code.", field=field)
    return template


def _coupon(principal: Principal, code: str) -> Coupon:
    clean = _clean(code, 64)
    if clean is None:
        raise NotFound(E.COUPON_NOT_FOUND, "No coupon has this code.", field="code")
    return coupon_get(principal.organization_id, clean)


def _member_types(principal: Principal, codes: list[str]) -> list[MemberType]:
    wanted = {c.strip() for c in codes}
    found = list(MemberType.objects.filter(organization_id=principal.organization_id, code__in=wanted))
    missing = sorted(wanted - {t.code for t in found})
    if missing:
        raise DomainError(E_UNKNOWN_MEMBER_TYPE, f"No member type '{missing[0]}'.", field="member_types")
    return found


def _organization(principal: Principal) -> Organization:
    return Organization.objects.get(pk=principal.organization_id)
