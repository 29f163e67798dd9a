"""A plain plan as the one ``jsonb`` argument of the PostgreSQL writer (``ledger.services.fastpost``
calls it). Pure, as the plan is.

Wire format 2, read by ``sasom_sale_post2`` (``ledger/sql/sale_post2.sql``, whose header lists the
positions): one JSON array, each value at its position, each line an array; money and quantities
as decimal strings (every digit kept, cast by the function); text as UTF-8, not ``\\uXXXX``
escapes (a Thai rule name is half the bytes). A B1 plan is 0.75x of its bytes in format 1; the
earn entry's explanation (the member's awards again) is sent whole: building it in the function
from the sale's awards cost PostgreSQL more CPU than parsing it (docs/performance.md, B1's
PostgreSQL CPU). docs/ledger.md, "Plan formats".

Format 1 (an object with a key per value, ``sasom_sale_post``, ``ledger/sql/sale_post.sql``) is
what the release before this one sends; its function stays in the database for those processes
while they drain (docs/ledger.md, "Plan formats").
"""

from __future__ import annotations

import json
from typing import Any

from sasom.ledger.plan import SalePlan

WIRE_FORMAT = 2
FUNCTION = "sasom_sale_post2"  # the function that reads this format
RECEIPT_AT = 3  # the receipt's position (bench/refs.py gives each replayed plan a fresh one)
EXPECT_FIRST_AT = 8
MEMBER_AT = 7

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def plan_json(plan: SalePlan) -> str:
    """The plan in wire format 2 (the argument of ``sasom_sale_post2``)."""
    s, e = plan.sale, plan.earn
    expect = plan.expect
    d = plan.delta
    data: list[Any] = [
        s.organization_id,
        s.branch_id,
        s.terminal_id,
        s.receipt_id,
        s.document_type,
        s.occurred_at.isoformat(),
        s.recorded_at.isoformat(),
        s.member_id,
        expect.first_purchase if expect else None,
        expect.debt if expect else None,
        s.member_type_code,
        s.salesperson,
        s.campaign_plan,
        s.bag_declined,
        str(s.gross),
        str(s.discounts),
        str(s.bill_discount),
        str(s.coupon_discount),
        str(s.points_discount),
        str(s.net),
        str(s.eligible_net),
        s.points_earned,
        s.referrer_points,
        s.points_used,
        str(s.donation),
        str(s.member_discount),
        s.price_flagged,
        s.body_hash,
        s.actor_label,
        s.staff_user_id,
        s.explanation,
        [
            [
                ln.line_no,
                ln.sku,
                ln.category,
                ln.brand,
                str(ln.quantity),
                str(ln.unit_price),
                str(ln.discount),
                str(ln.net),
                None if ln.list_price is None else str(ln.list_price),
                ln.price_source,
                ln.price_flag,
                str(ln.member_discount),
                ln.excluded_from_points,
                str(ln.promotion_discount),
                ln.promotions,
            ]
            for ln in plan.lines
        ],
        None
        if e is None
        else [
            e.amount,
            e.debt_paid,
            e.expires_on.isoformat() if e.expires_on else None,
            e.pending_until.isoformat() if e.pending_until else None,
            e.explanation,
        ],
        [d.spendable, d.pending, d.lifetime_earned, d.debt, d.sale_count],
        [[u.promotion_id, u.times, str(u.discount), str(u.units)] for u in plan.promotion_uses],
    ]
    return _dumps(data)
