"""Points as money over the API: the quote for a bill, and the rules per member type."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.integrations.auth import Principal, api_require

from .. import errors as E
from .. import points as ledger
from ..api_schemas import DiscountRuleOut, DiscountRulesIn, DiscountRulesOut, QuoteIn, QuoteOut
from ..models import PointsDiscountRule
from ..services import points_discount_quote_for, points_discount_rule_save
from .common import _member, _member_types, _organization, router


@router.post(
    "/points-discount/quote",
    response={200: QuoteOut},
    summary="The most points a member may use on a bill, and their money (stores nothing)",
    operation_id="sasom_rewards_api_points_discount_quote",
)
def points_discount_quote(request: HttpRequest, body: QuoteIn) -> QuoteOut:
    principal = api_require(request, "rewards.view")
    member = _member(principal, body.member)
    spendable = ledger.spendable_of(member)
    quote = points_discount_quote_for(member, bill_amount=Decimal(body.bill_amount), spendable=spendable)
    return QuoteOut.of(member, spendable, quote)


def _rules(principal: Principal) -> DiscountRulesOut:
    qs = PointsDiscountRule.objects.filter(organization_id=principal.organization_id).select_related("member_type")
    rows = sorted(qs, key=lambda r: (r.member_type is not None, r.member_type.code if r.member_type is not None else ""))
    return DiscountRulesOut(rules=[DiscountRuleOut.of(r) for r in rows])


@router.get(
    "/points-discount/rules",
    response={200: DiscountRulesOut},
    summary="Points-as-money rules per member type",
    operation_id="sasom_rewards_api_discount_rules_read",
)
def discount_rules_read(request: HttpRequest) -> DiscountRulesOut:
    principal = api_require(request, "rewards.manage")
    return _rules(principal)


@router.put(
    "/points-discount/rules",
    response={200: DiscountRulesOut},
    summary="Set the rules of the member types given (null member type: the default); others stay",
    operation_id="sasom_rewards_api_discount_rules_put",
)
def discount_rules_put(request: HttpRequest, body: DiscountRulesIn) -> DiscountRulesOut:
    principal = api_require(request, "rewards.manage")
    org = _organization(principal)
    actor = Actor.from_request(request)
    seen: set[str | None] = set()
    with transaction.atomic():
        for i, item in enumerate(body.rules):
            type_code = (item.member_type or "").strip() or None
            if type_code in seen:
                raise DomainError(E.VALUE_INVALID, "A member type is given twice.", field=f"rules.{i}.member_type")
            seen.add(type_code)
            member_type = _member_types(principal, [type_code])[0] if type_code else None
            rule = PointsDiscountRule.objects.filter(organization=org, member_type=member_type).first()
            data = item.dict(exclude={"member_type"})
            data["member_type"] = member_type
            data["max_bill_percent"] = Decimal(item.max_bill_percent)
            data["max_balance_percent"] = Decimal(item.max_balance_percent)
            points_discount_rule_save(organization=org, actor=actor, data=data, rule=rule)
    return _rules(principal)

