"""Back-office forms of tiers: the ladder (tiers written one per line) and a tier set by hand."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateField
from sasom.core.forms_money import amount_error, amount_shown, amount_typed, split_columns
from sasom.tiers.models import Basis, BenefitsMode, Downgrade, DropMode, Frequency
from sasom.tiers.services import TierIn

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _cents(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


class LadderForm(BoundedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    basis = forms.ChoiceField(label=_("Decided on"), choices=Basis.choices)
    window_months = forms.TypedChoiceField(label=_("Window (months, counted back)"), coerce=int,
                                           choices=[(1, "1"), (3, "3"), (6, "6"), (12, "12")], initial=12)
    downgrade = forms.ChoiceField(label=_("Downgrade"), choices=Downgrade.choices)
    cutoff_frequency = forms.ChoiceField(label=_("Cut-off"), choices=Frequency.choices)
    drop_mode = forms.ChoiceField(label=_("Drop"), choices=DropMode.choices)
    benefits_mode = forms.ChoiceField(label=_("Tier benefits"), choices=BenefitsMode.choices)
    tiers = forms.CharField(
        label=_("Tiers, lowest first: code, name, from (points or baht)[, valid months][, colour]"
                "[, discount %][, birthday discount %]"),
        help_text=_("A spend ladder's 'from' is in the shop's unit; to write 20,000 separate the columns "
                    "with semicolons: 'GOLD; Gold; 20,000'."),
        widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
    )

    def clean_tiers(self) -> list[TierIn]:
        out: list[TierIn] = []
        spend = self.cleaned_data.get("basis") == Basis.SPEND
        for n, raw in enumerate(self.cleaned_data["tiers"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = split_columns(raw)
            try:
                if not 3 <= len(parts) <= 7 or not parts[0] or not parts[1]:
                    raise ValueError
                threshold = _spend_from(parts[2], n) if spend else int(parts[2].replace("_", ""))
                months = int(parts[3]) if len(parts) > 3 and parts[3] else None
                color = parts[4] if len(parts) > 4 and parts[4] else "#64748b"
                if not _COLOR.fullmatch(color):
                    raise ValueError
                discount = Decimal(parts[5]) if len(parts) > 5 and parts[5] else Decimal(0)
                birthday = Decimal(parts[6]) if len(parts) > 6 and parts[6] else Decimal(0)
                if not all(0 <= p <= 100 and _cents(p) for p in (discount, birthday)):
                    raise ValueError
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s: write code, name, from[, valid months][, colour #rrggbb][, discount %%]"
                      "[, birthday discount %%]."), params={"n": n}
                ) from None
            out.append(TierIn(code=parts[0], name=parts[1], threshold=threshold, validity_months=months,
                              card_color=color, discount_percent=discount, birthday_discount_percent=birthday))
        if not out:
            raise forms.ValidationError(_("A ladder needs at least one tier."))
        return out

    @staticmethod
    def tiers_text(tiers: list[Any], basis: str | None = None) -> str:
        """The stored tiers as the box shows them; a spend ladder's thresholds in the shop's unit
        (``200000`` rial → ``20000`` toman), the basis read from the tiers' ladder when not given."""
        if basis is None and tiers:
            basis = getattr(getattr(tiers[0], "ladder", None), "basis", None)
        return "\n".join(
            ", ".join([t.code, t.name, amount_shown(t.threshold) if basis == Basis.SPEND else str(t.threshold),
                       str(t.validity_months or ""), t.card_color,
                       f"{t.discount_percent.normalize():f}", f"{t.birthday_discount_percent.normalize():f}"])
            for t in tiers)


def _spend_from(typed: str, n: int) -> int:
    """A spend ladder's threshold typed in the shop's unit (``20,000`` toman) as stored: a whole
    amount of the currency (``200000`` rial; whole baht, as the column holds)."""
    try:
        amount = amount_typed(typed.replace("_", ""))
    except forms.ValidationError as exc:
        if exc.code != "too_fine":
            raise ValueError from None
        raise forms.ValidationError(_("Line %(n)s: %(error)s"), code="too_fine",
                                    params={"n": n, "error": amount_error(exc)}) from None
    if amount != amount.to_integral_value():
        raise ValueError
    return int(amount)


class TierSetForm(BoundedForm):
    tier = forms.ChoiceField(label=_("Tier"))
    until = ShopDateField(label=_("Floor until (empty: no end)"), required=False)
    note = forms.CharField(label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tiers: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tier"]).choices = tiers or []
