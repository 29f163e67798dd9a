"""Back-office forms: the common rule form, one parameter form per kind, campaigns, settings,
and the "try a basket" form. Forms only parse; the services validate the domain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateField, ShopDateTimeField
from sasom.core.forms_money import (
    ShopMoneyField,
    amount_error,
    amount_shown,
    amount_typed,
    split_columns,
)
from sasom.earning.arithmetic import Mode, Rounding
from sasom.earning.kinds import KINDS, Kind, kind_choices

MODE_CHOICES = [
    (Mode.MULTIPLY, _("Multiply the base points (x m: the total becomes m × base)")),
    (Mode.EXTRA_TIMES, _("Extra m × base points on top of the base")),
    (Mode.FIXED, _("Fixed extra points")),
]
WEEKDAY_CHOICES = [
    ("0", _("Monday")), ("1", _("Tuesday")), ("2", _("Wednesday")), ("3", _("Thursday")),
    ("4", _("Friday")), ("5", _("Saturday")), ("6", _("Sunday")),
]
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def split_codes(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def join_codes(values: Any) -> str:
    return ", ".join(values or [])


class CodesField(forms.CharField):
    """Comma-separated codes, e.g. "B1, B2"."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Comma-separated; empty means any."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return join_codes(value) if isinstance(value, list | tuple) else value

    # The cleaned value is a list of codes, where CharField declares a str.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_codes(super().to_python(value) or "")


class RuleForm(BoundedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=kind_choices)
    priority = forms.IntegerField(label=_("Priority"), initial=0, help_text=_("Higher runs first."))
    stop_further = forms.BooleanField(label=_("Stop further rules when this rule gives points"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    valid_from = ShopDateTimeField(label=_("Valid from"), required=False)
    valid_to = ShopDateTimeField(label=_("Valid until (exclusive)"), required=False)
    weekdays = forms.MultipleChoiceField(label=_("Weekdays"), choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple)
    days_of_month = CodesField(label=_("Days of month"), help_text=_("e.g. 1, 15; empty means every day."))
    time_from = forms.TimeField(label=_("Daily from"), required=False, widget=TIME_WIDGET)
    time_to = forms.TimeField(label=_("Daily until (exclusive)"), required=False, widget=TIME_WIDGET)
    member_types = forms.MultipleChoiceField(label=_("Member types"), required=False, widget=forms.CheckboxSelectMultiple)
    tiers = CodesField(label=_("Tiers"))
    branches = forms.MultipleChoiceField(label=_("Branches"), required=False, widget=forms.CheckboxSelectMultiple)
    terminals = CodesField(label=_("Terminals"))
    salespersons = CodesField(label=_("Salespersons"))
    document_types = CodesField(label=_("Document types"), help_text=_("e.g. retail_receipt; empty means any."))
    campaign_plans = CodesField(label=_("Campaign plans"))

    def __init__(self, *args: Any, member_types: list[tuple[str, str]], branches: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member_types"]).choices = member_types
        cast(forms.ChoiceField, self.fields["branches"]).choices = branches

    def clean_days_of_month(self) -> list[str]:
        values: list[str] = self.cleaned_data["days_of_month"]
        for value in values:
            if not value.isdigit():
                raise forms.ValidationError(_("Write days as numbers, e.g. 1, 15."))
        return values


class BoostMixin(BoundedForm):
    mode = forms.ChoiceField(label=_("Award"), choices=MODE_CHOICES)
    value = forms.DecimalField(label=_("Multiplier m, or points"), min_value=Decimal("0"), decimal_places=2)


class BaseParams(BoundedForm):
    per_amount = ShopMoneyField(label=_("Every (money)"), help_text=_("e.g. 25 THB"))
    points = forms.IntegerField(label=_("earns (points)"), min_value=1, initial=1)


class ThresholdParams(BoundedForm):
    min_amount = ShopMoneyField(label=_("Bill of at least"))
    points = forms.IntegerField(label=_("Points"), min_value=1)


class ProductParams(BoostMixin):
    skus = CodesField(label=_("SKUs"))
    categories = CodesField(label=_("Categories"))
    brands = CodesField(label=_("Brands"))
    per_quantity = forms.BooleanField(label=_("Fixed points per unit"), required=False)


class SpendParams(BoundedForm):
    steps = forms.CharField(
        label=_("Steps"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One step per line: amount mode value, e.g. '2000 multiply 2' or '5000 fixed 100'. Only the highest step reached applies."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        initial = kwargs.get("initial") or {}
        if isinstance(initial.get("steps"), list):
            kwargs["initial"] = {**initial, "steps": shown_steps(initial["steps"])}
        super().__init__(*args, **kwargs)

    def clean_steps(self) -> str:
        """Each step's amount typed in the display unit (``20,000`` toman) as stored (``200000``
        rial); a line that is not ``amount mode value`` is left for the rule kind to refuse."""
        lines = []
        for number, raw in enumerate(self.cleaned_data["steps"].splitlines(), start=1):
            parts = raw.split()
            if len(parts) == 3:
                try:
                    parts[0] = str(amount_typed(parts[0]))
                except forms.ValidationError as exc:
                    raise forms.ValidationError(_("Line %(n)s: %(error)s"), code="too_fine",
                                                params={"n": number, "error": amount_error(exc)}) from None
            lines.append(" ".join(parts))
        return "\n".join(lines)


def shown_steps(steps: list[dict[str, Any]]) -> str:
    """Stored steps as the box shows them: one ``amount mode value`` per line, the amount in the
    display unit (``200000`` rial → ``20000`` toman)."""
    return "\n".join(f"{amount_shown(s.get('min_amount'))} {s.get('mode')} {s.get('value')}" for s in steps)


class GoldenParams(BoostMixin):
    min_amount = ShopMoneyField(label=_("Minimum spend"), initial=0)


class BirthdayParams(BoostMixin):
    period = forms.ChoiceField(label=_("When"), choices=[("day", _("On the birthday")), ("month", _("During the birth month"))])
    min_amount = ShopMoneyField(label=_("Minimum spend"), initial=0)


class ReferralParams(BoundedForm):
    member_points = forms.IntegerField(label=_("Points to the new member"), min_value=0, initial=0)
    referrer_points = forms.IntegerField(label=_("Points to the referrer"), min_value=0, initial=0)
    min_amount = ShopMoneyField(label=_("Minimum first purchase"), initial=0)


class SpecialDateParams(BoostMixin):
    dates = CodesField(label=_("Dates"), required=True, help_text=_("MM-DD every year (e.g. 06-15) or YYYY-MM-DD once."))
    min_amount = ShopMoneyField(label=_("Minimum spend"), initial=0)


def _params_forms(by_kind: dict[str, type[forms.Form]]) -> dict[str, type[forms.Form]]:
    """One parameter form per registered kind, in the registry's order; each form's fields are
    exactly the parameters its kind takes (so the form cannot drift from the kind)."""
    out: dict[str, type[forms.Form]] = {}
    for code, kind in KINDS.items():
        form = by_kind.get(code)
        if form is None:
            raise ImproperlyConfigured(f"earning rule kind {code!r} has no parameter form")
        if set(form.base_fields) != kind.param_names:
            raise ImproperlyConfigured(
                f"{form.__name__} fields {sorted(form.base_fields)} are not the {code} parameters "
                f"{sorted(kind.param_names)}"
            )
        out[code] = form
    return out


KIND_FORMS: dict[str, type[forms.Form]] = _params_forms({
    Kind.BASE: BaseParams,
    Kind.THRESHOLD: ThresholdParams,
    Kind.PRODUCT: ProductParams,
    Kind.SPEND: SpendParams,
    Kind.GOLDEN_MINUTE: GoldenParams,
    Kind.BIRTHDAY: BirthdayParams,
    Kind.REFERRAL: ReferralParams,
    Kind.SPECIAL_DATE: SpecialDateParams,
})


# the rule parameters that are amounts of money: typed and shown in the display unit (toman) by
# their ``ShopMoneyField``; stored as text, so the form is given them back as amounts
MONEY_PARAMS = frozenset({"per_amount", "min_amount"})


def params_from(form: forms.Form) -> dict[str, Any]:
    """The parameters as the service takes them (amounts already in the stored unit: rial)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in form.cleaned_data.items()}


def params_initial(params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters as the form's initial values: the amounts as numbers, which the money
    fields show in the display unit (``"200000"`` rial is shown as 20000 toman)."""
    return {k: (Decimal(str(v)) if k in MONEY_PARAMS and v not in (None, "") else v) for k, v in params.items()}


class CampaignForm(BoundedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    priority = forms.IntegerField(label=_("Priority"), initial=0, help_text=_("Higher is chosen first."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    valid_from = ShopDateTimeField(label=_("Valid from"), required=False)
    valid_to = ShopDateTimeField(label=_("Valid until (exclusive)"), required=False)
    member_types = CodesField(label=_("Member types"))
    branches = CodesField(label=_("Branches"))
    plans = CodesField(label=_("Campaign plans"))
    bag_percent = forms.DecimalField(label=_("Bag declined: extra points, percent of net"), decimal_places=2, initial=0,
                                     min_value=0, max_value=100)
    bag_points = forms.IntegerField(label=_("Bag declined: extra points per bill"), min_value=0, initial=0)
    donation_per_bag = ShopMoneyField(label=_("Non-member: donation per declined bag"), initial=0, max_digits=8,
                                      decimal_places=2)
    fund_name = forms.CharField(label=_("Donation fund"), required=False, max_length=120)
    extra_discount = ShopMoneyField(label=_("Extra discount amount (members)"), initial=0, max_digits=10,
                                    decimal_places=2)
    combinable = forms.BooleanField(label=_("Combinable with another campaign"), required=False)


class SettingsForm(BoundedForm):
    rounding = forms.ChoiceField(label=_("Rounding"), choices=[(Rounding.BILL, _("Floor once per bill")), (Rounding.LINE, _("Floor per line"))])
    base_includes_vat = forms.BooleanField(label=_("The base includes VAT"), required=False)
    vat_rate = forms.DecimalField(label=_("VAT rate %"), decimal_places=2, min_value=0, max_value=100)
    excluded_categories = CodesField(label=_("Excluded categories"))
    expired_card_earns = forms.BooleanField(label=_("Expired cards earn points"), required=False)


class PreviewForm(BoundedForm):
    lines = forms.CharField(
        label=_("Lines"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per row: sku, category, brand, qty, price, discount — e.g. 'LIP01, BEAUTY, , 1, 500, 0'. "
                    "Prices in the shop's unit; to write 20,000 separate the columns with semicolons: "
                    "'LIP01; BEAUTY; ; 1; 20,000; 0'."),
    )
    is_member = forms.BooleanField(label=_("Member"), required=False, initial=True)
    member_type = forms.ChoiceField(label=_("Member type"), required=False)
    tier = forms.CharField(label=_("Tier"), required=False)
    birth_on = ShopDateField(label=_("Birth date"), required=False)
    occurred_at = ShopDateTimeField(label=_("Date and time"))
    branch_code = forms.ChoiceField(label=_("Branch"), required=False)
    bill_discount = ShopMoneyField(label=_("Bill discount"), initial=0, required=False)
    bag_declined = forms.BooleanField(label=_("Bag declined"), required=False)
    campaign_plan = forms.CharField(label=_("Campaign plan"), required=False)
    is_first_purchase = forms.BooleanField(label=_("First purchase of a referred member"), required=False)

    def __init__(self, *args: Any, member_types: list[tuple[str, str]], branches: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["member_type"]).choices = member_types
        cast(forms.ChoiceField, self.fields["branch_code"]).choices = [("", "—"), *branches]

    def clean_lines(self) -> list[dict[str, Any]]:
        rows = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = split_columns(raw)
            parts += [""] * (6 - len(parts))
            if len(parts) > 6 or not parts[0]:
                raise forms.ValidationError(_("Row %(n)s: write sku, category, brand, qty, price, discount.") % {"n": number})
            try:
                qty = Decimal(parts[3] or "1")
            except ArithmeticError:
                raise forms.ValidationError(_("Row %(n)s: qty, price and discount must be numbers.") % {"n": number}) from None
            try:  # the prices in the display unit (toman), as a money box reads them
                price = amount_typed(parts[4])
                discount = amount_typed(parts[5] or "0")
            except forms.ValidationError as exc:
                if exc.code != "too_fine":
                    raise forms.ValidationError(_("Row %(n)s: qty, price and discount must be numbers.") % {"n": number}) from None
                raise forms.ValidationError(_("Row %(n)s: %(error)s"), code="too_fine",
                                            params={"n": number, "error": amount_error(exc)}) from None
            if not qty.is_finite() or qty <= 0 or price < 0 or discount < 0:
                raise forms.ValidationError(_("Row %(n)s: qty must be positive, price and discount not negative.") % {"n": number})
            rows.append({"sku": parts[0], "category": parts[1], "brand": parts[2], "quantity": qty,
                         "unit_price": price, "discount": discount})
        if not rows:
            raise forms.ValidationError(_("Add at least one line."))
        return rows
