"""A report's money cells in the organization's display unit: toman for a toman shop, Persian
digits for Persian readers when asked; exports carry the display unit's typed value."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from sasom.reports.formatting import INT, MONEY, cell_text, export_value

TOMAN_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=True, calendar="jalali",
                             time_zone="Asia/Tehran")
THAI_SHOP = SimpleNamespace(currency="THB", amounts_in_toman=False, persian_digits=False, time_zone="Asia/Bangkok")


def test_a_toman_shop_reads_toman():
    with translation.override("en"):
        assert cell_text(Decimal("1172839.00"), MONEY, TOMAN_SHOP) == "117,283.9"
    with translation.override("fa"):
        assert cell_text(Decimal("1172839.00"), MONEY, TOMAN_SHOP) == "۱۱۷,۲۸۳.۹"
        assert cell_text(1234, INT, TOMAN_SHOP) == "۱,۲۳۴"
    assert export_value(Decimal("1172839.00"), MONEY, TOMAN_SHOP) == Decimal("117283.9")


def test_a_thai_shop_is_unchanged():
    with translation.override("th"):
        assert cell_text(Decimal("1234.5"), MONEY, THAI_SHOP) == "1,234.50"
        assert cell_text(1234, INT, THAI_SHOP) == "1,234"
    assert export_value(Decimal("1234.50"), MONEY, THAI_SHOP) == Decimal("1234.50")
