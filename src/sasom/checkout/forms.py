"""The till's small forms: each parses one action of the cashier's sale screen and its bounds."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm

MAX_QUANTITY = Decimal("9999")  # one line of a shop's bill; more is a slip of the finger
MAX_LINES = 200  # the API takes 500; a counter bill past 200 lines is a mistake
MAX_POINTS = 1_000_000_000
SCAN_MULTIPLIER = re.compile(r"^(\d{1,4})\s*[*xX×]\s*(\S.*)$")  # "3*8850001": three of that barcode


def _quantity_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_value=MAX_QUANTITY, max_digits=12, decimal_places=3,
        **kwargs,
    )


class ScanForm(BoundedForm):
    """A barcode or SKU as scanned or typed; ``3*CODE`` adds three."""

    code = forms.CharField(label=_("Barcode or SKU"), max_length=70, strip=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code") or ""
        quantity = Decimal("1")
        found = SCAN_MULTIPLIER.match(code)
        if found:
            quantity, code = Decimal(found.group(1)), found.group(2).strip()
        if "\x00" in code or len(code) > 64:
            self.add_error("code", _("No product has the code %(code)s.") % {"code": code[:64]})
        elif not Decimal("0") < quantity <= MAX_QUANTITY:
            self.add_error("code", _("The quantity must be between 0.001 and %(max)s.") % {"max": MAX_QUANTITY})
        data["code"], data["quantity"] = code, quantity
        return data


class LineForm(BoundedForm):
    """A line's quantity keys: + / − / remove, or a quantity typed."""

    ACTIONS = ("inc", "dec", "set", "remove")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    quantity = _quantity_field(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "set" and data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Type a quantity."))
        return data


class MemberFindForm(BoundedForm):
    q = forms.CharField(label=_("Member phone, card or QR"), max_length=64, strip=True)


class BagForm(BoundedForm):
    declined = forms.BooleanField(label=_("The customer declined a plastic bag"), required=False)


class PaymentForm(BoundedForm):
    """The member's coupons chosen and the points paid with (a number of points: their money value
    always comes from the points-discount rule, through the quote)."""

    coupons = forms.MultipleChoiceField(label=_("Coupons"), required=False, widget=forms.CheckboxSelectMultiple)
    points = forms.IntegerField(label=_("Points to pay with"), required=False, min_value=0, max_value=MAX_POINTS)

    def __init__(self, *args: Any, coupon_codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coupons"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = coupon_codes


class TerminalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # django-stubs: ModelChoiceField is generic only at type-check time
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.branch.code} · {obj.code} · {obj.name}"


class TerminalForm(BoundedForm):
    terminal = TerminalChoiceField(label=_("Terminal"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, terminals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["terminal"]
        assert isinstance(field, TerminalChoiceField)
        field.queryset = terminals


class ChoiceForm(BoundedForm):
    """A promotion's choice at the till: the promotion's code and the SKU the member picked."""

    promotion = forms.CharField(max_length=40)
    sku = forms.CharField(max_length=64, label=_("Choice"))
