"""A plain plan as the one ``jsonb`` argument of the PostgreSQL writer, ``sasom_sale_post``
(``ledger/sql/sale_post.sql``; ``ledger.services.fastpost`` calls it). Pure, as the plan is."""

from __future__ import annotations

import json

from sasom.ledger.plan import SalePlan


def plan_json(plan: SalePlan) -> str:
    """A plain plan as the one ``jsonb`` argument of ``sasom_sale_post`` (ledger/sql/sale_post.sql)."""
    s, e = plan.sale, plan.earn
    data = {
        "org": s.organization_id, "branch": s.branch_id, "terminal": s.terminal_id, "receipt_id": s.receipt_id,
        "document_type": s.document_type, "occurred_at": s.occurred_at.isoformat(),
        "recorded_at": s.recorded_at.isoformat(), "member": s.member_id,
        "expect_first": plan.expect.first_purchase if plan.expect else None,
        "expect_debt": plan.expect.debt if plan.expect else None,
        "member_type_code": s.member_type_code, "salesperson": s.salesperson, "campaign_plan": s.campaign_plan,
        "bag_declined": s.bag_declined, "gross": str(s.gross), "discounts": str(s.discounts),
        "bill_discount": str(s.bill_discount), "coupon_discount": str(s.coupon_discount),
        "points_discount": str(s.points_discount), "net": str(s.net), "eligible_net": str(s.eligible_net),
        "points_earned": s.points_earned, "referrer_points": s.referrer_points, "points_used": s.points_used,
        "donation": str(s.donation), "member_discount": str(s.member_discount),
        "price_flagged": s.price_flagged, "explanation": s.explanation, "body_hash": s.body_hash,
        "actor_label": s.actor_label, "staff_user": s.staff_user_id,
        "lines": [
            {"line_no": ln.line_no, "sku": ln.sku, "category": ln.category, "brand": ln.brand,
             "quantity": str(ln.quantity), "unit_price": str(ln.unit_price), "discount": str(ln.discount),
             "net": str(ln.net), "list_price": None if ln.list_price is None else str(ln.list_price),
             "price_source": ln.price_source, "price_flag": ln.price_flag,
             "member_discount": str(ln.member_discount), "excluded_from_points": ln.excluded_from_points,
             "promotion_discount": str(ln.promotion_discount), "promotions": ln.promotions}
            for ln in plan.lines
        ],
        "earn": None if e is None else {
            "amount": e.amount, "debt_paid": e.debt_paid, "lot_amount": e.lot_amount,
            "expires_on": e.expires_on.isoformat() if e.expires_on else None,
            "pending_until": e.pending_until.isoformat() if e.pending_until else None,
            "explanation": e.explanation,
        },
        "delta": {"spendable": plan.delta.spendable, "pending": plan.delta.pending,
                  "lifetime_earned": plan.delta.lifetime_earned, "debt": plan.delta.debt,
                  "sale_count": plan.delta.sale_count},
        "uses": [[u.promotion_id, u.times, str(u.discount), str(u.units)] for u in plan.promotion_uses],
    }
    return json.dumps(data, separators=(",", ":"))
