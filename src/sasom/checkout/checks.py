"""What a sale must be before the till prices it, refused with the field named (docs/api.md):

* ``occurred_at`` at most ``SALE_CLOCK_TOLERANCE_SECONDS`` ahead of the server's clock
  (``sale_in_future``), and no older than ``SALE_BACKPOST_DAYS`` (``sale_too_old``; day-end batches
  have their own ``SALE_BATCH_BACKPOST_DAYS``; None: no limit), and not dated, in the organization's
  time zone, before its ``sales_since`` day (``sale_before_start``);
* a bill discount no larger than the lines after their discounts (``discount_above_bill``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.checkout.errors import (
    DISCOUNT_ABOVE_BILL,
    SALE_BEFORE_START,
    SALE_IN_FUTURE,
    SALE_TOO_OLD,
)
from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.earning import engine


def sale_time_check(occurred_at: dt.datetime, *, batch: bool = False, now: dt.datetime | None = None,
                    since: dt.date | None = None, zone: str = "Asia/Bangkok") -> None:
    now = now or timezone.now()
    if since is not None and timezone.localtime(occurred_at, zoneinfo.ZoneInfo(zone)).date() < since:
        raise DomainError(SALE_BEFORE_START, _("The sale is dated before %(day)s, the first day this organization "
                                               "accepts sales from.") % {"day": since.isoformat()},
                          field="occurred_at")
    ahead = float(getattr(settings, "SALE_CLOCK_TOLERANCE_SECONDS", 300))
    if occurred_at > now + dt.timedelta(seconds=ahead):
        raise DomainError(SALE_IN_FUTURE, _("The sale is dated ahead of the server's clock (%(n)d seconds allowed).")
                          % {"n": ahead}, field="occurred_at")
    days = getattr(settings, "SALE_BATCH_BACKPOST_DAYS" if batch else "SALE_BACKPOST_DAYS", None)
    if days is not None and occurred_at < now - dt.timedelta(days=int(days)):
        raise DomainError(SALE_TOO_OLD, _("The sale is older than %(n)d days: post it through a correction.")
                          % {"n": int(days)}, field="occurred_at")


def bill_discount_check(basket: engine.Basket) -> None:
    lines = sum((money(ln.quantity * ln.unit_price) - ln.discount for ln in basket.lines), Decimal("0"))
    if basket.bill_discount > lines:
        raise DomainError(DISCOUNT_ABOVE_BILL, _("The bill discount %(d)s is more than the bill %(b)s.")
                          % {"d": basket.bill_discount, "b": lines}, field="bill_discount")
