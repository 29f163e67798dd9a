"""The coupon's events on the stream (``coupon.issued``, ``coupon.used``): webhooks and the
members' messages (issue 16) read them. Recorded inside the transaction that issues or uses the
coupon, so a rolled-back issue announces nothing; the payload is built only when someone listens."""

from __future__ import annotations

import datetime as dt

from sasom.core.events import COUPON_ISSUED, COUPON_USED, event_record

from ..models import Coupon


def coupon_announce(coupon: Coupon, *, used: bool, occurred_at: dt.datetime, member_code: str = "") -> None:
    template = coupon.template

    def payload() -> dict[str, object]:
        data: dict[str, object] = {
            "coupon": coupon.code, "coupon_id": coupon.pk, "member": member_code or coupon.member.code, "template": template.code,
            "name": template.name, "kind": template.kind, "points": coupon.points,
            "expires_at": coupon.expires_at.isoformat(),
        }
        if used:
            data.update({"used_amount": str(coupon.used_amount), "bill_reference": coupon.used_bill_reference,
                         "branch": coupon.used_branch.code if coupon.used_branch else None})
        return data

    event_record(organization_id=coupon.organization_id, kind=COUPON_USED if used else COUPON_ISSUED,
                 occurred_at=occurred_at, payload=payload)
