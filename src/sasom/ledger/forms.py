from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm, BoundedModelForm
from sasom.core.forms_money import ShopMoneyField
from sasom.ledger.models import LedgerSettings
from sasom.organizations.models import Terminal

if TYPE_CHECKING:
    from sasom.ledger.models import SaleLine


class CounterSaleForm(BoundedForm):
    """A sale keyed at the counter: a total, or lines "sku, quantity, unit price[, discount]"."""

    terminal = forms.ModelChoiceField(label=_("Terminal"), queryset=Terminal.objects.none())
    receipt_id = forms.CharField(label=_("Receipt no."), max_length=64)
    total = ShopMoneyField(label=_("Total"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)
    lines = forms.CharField(
        label=_("Or lines: SKU, quantity, unit price[, discount] — one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    bill_discount = ShopMoneyField(label=_("Bill discount"), max_digits=12, decimal_places=2, required=False)
    points_used = forms.IntegerField(
        label=_("Points used as payment"), min_value=0, max_value=1_000_000_000, required=False,
        help_text=_("Their value in money comes from the points-discount rule."),
    )

    def __init__(self, *args: Any, terminals: QuerySet[Terminal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if terminals is not None:
            cast("forms.ModelChoiceField[Terminal]", self.fields["terminal"]).queryset = terminals
        if not self.is_bound:
            self.initial.setdefault("receipt_id", "C" + uuid.uuid4().hex[:11].upper())

    def clean_lines(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        parsed: list[tuple[str, Decimal, Decimal, Decimal]] = []
        for n, raw in enumerate((self.cleaned_data.get("lines") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.split(",")]
            try:
                if len(parts) not in (3, 4) or not parts[0]:
                    raise ValueError
                qty, price = Decimal(parts[1]), Decimal(parts[2])
                discount = Decimal(parts[3]) if len(parts) == 4 else Decimal("0")
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s: write SKU, quantity, unit price[, discount]."), params={"n": n}
                ) from None
            if qty <= 0 or price < 0 or discount < 0:
                raise forms.ValidationError(_("Line %(n)s: quantity above zero, no negative amounts."), params={"n": n})
            parsed.append((parts[0][:64], qty, price, discount))
        return parsed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("lines") and not data.get("total"):
            self.add_error("total", _("Enter the total or the lines."))
        if data.get("lines") and data.get("total"):
            self.add_error("total", _("Enter the total or the lines, not both."))
        return data


class AdjustForm(BoundedForm):
    points = forms.IntegerField(label=_("Points (+ add / − deduct)"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_points(self) -> int:
        points: int = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number other than zero."))
        return points


class VoidForm(BoundedForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReturnForm(BoundedForm):
    return_id = forms.CharField(label=_("Return no."), max_length=64)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, sale_lines: Iterable[SaleLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sale_lines = list(sale_lines)
        if not self.is_bound:
            self.initial.setdefault("return_id", "RT" + uuid.uuid4().hex[:10].upper())
        for ln in self.sale_lines:
            self.fields[f"qty_{ln.line_no}"] = forms.DecimalField(
                label=f"{ln.line_no}. {ln.sku}", min_value=0, max_value=ln.quantity - ln.returned_quantity,
                decimal_places=3, required=False,
            )

    def returned_lines(self) -> dict[int, Decimal]:
        return {
            ln.line_no: self.cleaned_data[f"qty_{ln.line_no}"]
            for ln in self.sale_lines
            if self.cleaned_data.get(f"qty_{ln.line_no}")
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.sale_lines and not self.errors and not self.returned_lines():
            raise forms.ValidationError(_("Enter the quantity returned on at least one line."))
        return data


class LedgerSettingsForm(BoundedModelForm[LedgerSettings]):
    class Meta:
        model = LedgerSettings
        fields = ["expiry_policy", "expiry_n", "pending_days", "allow_same_sale_spend", "return_shortfall"]
