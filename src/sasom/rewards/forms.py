"""Forms of the rewards screens: they parse and validate input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm, BoundedModelForm
from sasom.core.forms_dates import ShopDateField, ShopDateInput
from sasom.core.forms_money import ShopMoneyField
from sasom.core.uploads import PictureField
from sasom.members.models import MemberType
from sasom.organizations.models import Branch, Terminal
from sasom.segments.forms import SegmentForm
from sasom.tiers.models import Tier

from .models import CouponTemplate, PointsDiscountRule, Reward, RewardSettings

DATE = ShopDateInput()


def _codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace("\n", ",").split(",") if c.strip()]


class _OrgForm(BoundedModelForm):
    """Rewards and coupon types: the member types and the tiers (of the organization's ladder)
    allowed; none ticked: every member. Without a ladder the tiers field is not shown."""

    tiers = forms.MultipleChoiceField(
        label=_("tiers allowed"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every member, with or without a tier."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if "member_types" in self.fields:
            field = cast("forms.ModelMultipleChoiceField[MemberType]", self.fields["member_types"])
            field.queryset = MemberType.objects.filter(organization=organization)
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices
        chosen = list(getattr(self.instance, "tiers", None) or [])
        choices = [(t.code, t.name) for t in Tier.objects.filter(organization=organization).order_by("threshold")]
        known = {code for code, _name in choices}
        # a code whose tier left the ladder stays visible (and can be unticked)
        choices += [(code, code) for code in chosen if code not in known]
        if not choices:
            del self.fields["tiers"]
            return
        tiers = cast("forms.MultipleChoiceField", self.fields["tiers"])
        tiers.choices = choices
        if self.instance.pk:
            self.initial["tiers"] = chosen


class RewardForm(_OrgForm):
    image = PictureField(label=_("image"), required=False)

    class Meta:
        model = Reward
        fields = [
            "code", "name", "name_en", "description", "image", "points_cost", "cash_copay", "member_types",
            "valid_from_on", "valid_to_on", "stock_mode", "limit_quantity", "limit_period", "is_active", "sort_order",
        ]
        widgets = {"valid_from_on": DATE, "valid_to_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"valid_from_on": ShopDateField, "valid_to_on": ShopDateField, "cash_copay": ShopMoneyField}


class CouponTemplateForm(_OrgForm):
    products = forms.CharField(label=_("products it applies to (codes, comma-separated)"), required=False)
    categories = forms.CharField(label=_("categories it applies to (codes, comma-separated)"), required=False)
    image = PictureField(label=_("image"), required=False)

    class Meta:
        model = CouponTemplate
        fields = [
            "code", "name", "name_en", "kind", "value", "discount_kind", "min_spend", "image", "text",
            "points_cost", "validity_days", "valid_until_on", "per_member_limit", "member_types", "is_active",
        ]
        widgets = {"valid_until_on": DATE, "text": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"valid_until_on": ShopDateField, "min_spend": ShopMoneyField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self._value_is_percent():  # an amount: typed and shown in the shop's unit (toman)
            old = cast(forms.DecimalField, self.fields["value"])
            self.fields["value"] = ShopMoneyField(label=old.label, help_text=old.help_text, max_digits=old.max_digits,
                                                  decimal_places=old.decimal_places, required=old.required)
        if self.instance.pk:
            self.initial["products"] = ", ".join(self.instance.product_codes or [])
            self.initial["categories"] = ", ".join(self.instance.category_codes or [])

    def _value_is_percent(self) -> bool:
        """The value is a percent for a discount in percent (as posted, else as stored)."""
        if self.is_bound:
            kind, discount_kind = (self.data.get(self.add_prefix(f)) for f in ("kind", "discount_kind"))
        else:
            kind = self.initial.get("kind", self.instance.kind)
            discount_kind = self.initial.get("discount_kind", self.instance.discount_kind)
        return kind == CouponTemplate.Kind.DISCOUNT and discount_kind == CouponTemplate.DiscountKind.PERCENT

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["product_codes"] = _codes(data.pop("products", ""))
        data["category_codes"] = _codes(data.pop("categories", ""))
        return data


class DiscountRuleForm(BoundedModelForm):
    class Meta:
        model = PointsDiscountRule
        fields = ["member_type", "points_per_unit", "per_amount", "min_points", "max_bill_percent", "max_balance_percent",
                  "is_active"]
        labels = {"points_per_unit": _("points"), "per_amount": _("are worth")}
        field_classes = {"per_amount": ShopMoneyField}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[MemberType]", self.fields["member_type"])
        field.queryset = MemberType.objects.filter(organization=organization)
        field.empty_label = _("Every member type (default)")
        self.fields["per_amount"].required = False  # empty: the points are worth 1 (10 points = 1 baht)

    def validate_unique(self):  # the service reports a clash on the member type with its code
        pass


class RewardSettingsForm(BoundedModelForm):
    class Meta:
        model = RewardSettings
        fields = ["point_price", "purchase_max_points"]
        field_classes = {"point_price": ShopMoneyField}


class StockForm(BoundedForm):
    delta = forms.IntegerField(label=_("quantity (+ received, − written off)"))
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none(), required=False)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Branch]", self.fields["branch"]).queryset = branches


class FindMemberForm(BoundedForm):
    q = forms.CharField(label=_("member code, phone or card"), max_length=60)
    branch = forms.ModelChoiceField(label=_("branch"), queryset=Branch.objects.none())

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Branch]", self.fields["branch"]).queryset = branches
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()


class RedeemForm(BoundedForm):
    reward = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    buy_points = forms.IntegerField(label=_("points to buy"), min_value=0, required=False)
    payment_reference = forms.CharField(label=_("receipt no. of the payment"), max_length=100, required=False)


class IssueCouponForm(BoundedForm):
    template = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(BoundedForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class CouponBulkForm(SegmentForm):
    """Bulk issue: the members (the shared segment form), whether the coupon's points are charged,
    and the count previewed (the issue is refused when it changed)."""

    charge_points = forms.BooleanField(label=_("charge the coupon's points"), required=False)
    expected_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, organization_id=organization_id, **kwargs)
        types = cast(forms.ChoiceField, self.fields["member_types"])
        types.widget = forms.CheckboxSelectMultiple()
        types.choices = types.choices  # the setter hands them to the new widget


class CashierForm(BoundedForm):
    q = forms.CharField(label=_("member code, phone or card"), max_length=60)
    terminal = forms.ModelChoiceField(label=_("register"), queryset=Terminal.objects.none())
    bill_amount = ShopMoneyField(label=_("bill amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    receipt_id = forms.CharField(label=_("receipt no."), max_length=64)
    points = forms.IntegerField(label=_("points to use"), min_value=0, required=False)
    coupon_code = forms.CharField(label=_("coupon code"), max_length=20, required=False)

    def __init__(self, *args: Any, terminals: QuerySet[Terminal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Terminal]", self.fields["terminal"]).queryset = terminals
