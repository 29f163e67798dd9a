"""Back-office forms of the catalog. They bound every value (lengths, numbers) so nothing a user
types reaches the database unchecked; the services check again and their refusals show on the
field they name."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core.bounded import BoundedForm
from sasom.core.forms_money import ShopMoneyField
from sasom.members.forms import FlexibleDateField

from .bulk import CLEAR, PERCENT_MIN, BulkChange
from .imports import MODES
from .models import Brand, Category
from .validation import PACK_LIMIT, PRICE_LIMIT

MAX_BARCODES = 50
_SPLIT = re.compile(r"[\s,;]+")


def _code_choices(
    organization_id: int, model: type[Category] | type[Brand], first: list[tuple[str, Any]], rows: Any = None
) -> list[tuple[str, Any]]:
    """``first``, then (code, "code · name") of the organization's categories or brands; ``rows``
    are (code, name) pairs the caller already has, to spare the query."""
    if rows is None:
        name = "name_th" if model is Category else "name"
        rows = model.objects.filter(organization_id=organization_id).order_by("code").values_list("code", name)
    return first + [(code, f"{code} · {name}") for code, name in rows]


class BarcodesField(forms.CharField):
    """Barcodes typed one per line, or separated by commas or spaces."""

    widget = forms.Textarea(attrs={"rows": 3, "autocomplete": "off"})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list, where CharField gives a str
        codes: list[str] = []
        for code in _SPLIT.split(super().to_python(value) or ""):
            if code and code not in codes:
                codes.append(code)
        if len(codes) > MAX_BARCODES:
            raise forms.ValidationError(_("At most %(n)s barcodes.") % {"n": MAX_BARCODES})
        return codes

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


class ProductForm(BoundedForm):
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    name_th = forms.CharField(label=gettext_lazy("Thai name"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200, required=False)
    category = forms.ChoiceField(label=gettext_lazy("category"), required=False)
    brand = forms.ChoiceField(label=gettext_lazy("brand"), required=False)
    unit = forms.CharField(label=gettext_lazy("unit"), max_length=20, required=False,
                           help_text=gettext_lazy('e.g. "box", "bottle"'))
    pack_size = forms.DecimalField(label=gettext_lazy("pack size"), initial=1, min_value=Decimal("0.001"),
                                   max_value=PACK_LIMIT - Decimal("0.001"), max_digits=10, decimal_places=3)
    base_price = ShopMoneyField(label=gettext_lazy("base price"), max_value=PRICE_LIMIT - Decimal("0.01"),
                                max_digits=12, decimal_places=2)
    vat_included = forms.BooleanField(label=gettext_lazy("VAT included"), required=False, initial=True)
    active_from = FlexibleDateField(label=gettext_lazy("active from"), required=False)
    active_to = FlexibleDateField(label=gettext_lazy("active to"), required=False)
    excluded_from_points = forms.BooleanField(label=gettext_lazy("excluded from points"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)
    barcodes = BarcodesField(label=gettext_lazy("barcodes"), required=False, max_length=4000,
                             help_text=gettext_lazy("One per line, or separated by commas."))
    image = forms.FileField(label=gettext_lazy("picture"), required=False,
                            help_text=gettext_lazy("png, jpg, gif or webp, at most 2 MB."))
    remove_image = forms.BooleanField(label=gettext_lazy("remove the picture"), required=False)

    def __init__(self, *args: Any, organization_id: int, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        cast(forms.ChoiceField, self.fields["category"]).choices = _code_choices(organization_id, Category, none)
        cast(forms.ChoiceField, self.fields["brand"]).choices = _code_choices(organization_id, Brand, none)
        if editing:
            self.fields["sku"].disabled = True
            self.fields["sku"].help_text = _("The SKU does not change: other systems know the product by it.")

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("image", "remove_image")}
        data["category"] = data["category"] or None
        data["brand"] = data["brand"] or None
        return data


class CategoryForm(BoundedForm):
    code = forms.CharField(label=gettext_lazy("code"), max_length=40)
    name_th = forms.CharField(label=gettext_lazy("Thai name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=120, required=False)
    parent = forms.ChoiceField(label=gettext_lazy("parent"), required=False)

    def __init__(self, *args: Any, organization_id: int, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _code_choices(organization_id, Category, [("", _("— top level —"))])
        cast(forms.ChoiceField, self.fields["parent"]).choices = [c for c in choices if category is None or c[0] != category.code]
        if category is not None:
            self.fields["code"].disabled = True


class BrandForm(BoundedForm):
    code = forms.CharField(label=gettext_lazy("code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)

    def __init__(self, *args: Any, brand: Brand | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if brand is not None:
            self.fields["code"].disabled = True


_FLAG = [("", gettext_lazy("leave as is")), ("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))]


class BulkForm(BoundedForm):
    """The change of a bulk edit; the selected products travel as ``ids``."""

    category = forms.ChoiceField(label=gettext_lazy("category"), required=False)
    brand = forms.ChoiceField(label=gettext_lazy("brand"), required=False)
    is_active = forms.ChoiceField(label=gettext_lazy("active"), choices=_FLAG, required=False)
    excluded_from_points = forms.ChoiceField(label=gettext_lazy("excluded from points"), choices=_FLAG, required=False)
    price_mode = forms.ChoiceField(label=gettext_lazy("base price"), required=False, choices=[
        ("", gettext_lazy("leave as is")), ("percent", gettext_lazy("change by a percent")),
        ("value", gettext_lazy("set to a price"))])
    price_amount = forms.DecimalField(label=gettext_lazy("percent or price"), required=False, max_digits=12,
                                      decimal_places=2, min_value=PERCENT_MIN, max_value=PRICE_LIMIT - Decimal("0.01"),
                                      help_text=gettext_lazy("e.g. 5 for +5 %, -10 for -10 %, or 59.00"))

    def __init__(self, *args: Any, organization_id: int, categories: Any = None, brands: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = [("", _("leave as is")), (CLEAR, _("none (clear)"))]
        cast(forms.ChoiceField, self.fields["category"]).choices = _code_choices(organization_id, Category, first, categories)
        cast(forms.ChoiceField, self.fields["brand"]).choices = _code_choices(organization_id, Brand, first, brands)
        if self.is_bound and self.data.get(self.add_prefix("price_mode")) == "value":
            # a price, not a percent: typed in the shop's unit (toman)
            self.fields["price_amount"] = ShopMoneyField(
                label=self.fields["price_amount"].label, required=False, max_value=PRICE_LIMIT - Decimal("0.01"),
                max_digits=12, decimal_places=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("price_mode") and data.get("price_amount") is None:
            self.add_error("price_amount", _("Give the percent or the price."))
        return data

    def change(self) -> BulkChange:
        d = self.cleaned_data

        def code(value: str) -> str | None:
            return None if not value else ("" if value == CLEAR else value)

        def flag(value: str) -> bool | None:
            return None if not value else value == "1"

        mode, amount = d.get("price_mode"), d.get("price_amount")
        return BulkChange(
            category=code(d.get("category", "")), brand=code(d.get("brand", "")),
            is_active=flag(d.get("is_active", "")), excluded_from_points=flag(d.get("excluded_from_points", "")),
            price_percent=amount if mode == "percent" else None, price_value=amount if mode == "value" else None,
        )


class ImportForm(BoundedForm):
    file = forms.FileField(label=gettext_lazy("CSV or Excel (XLSX) file"))
    mode = forms.ChoiceField(label=gettext_lazy("mode"), initial="upsert", choices=list(zip(MODES, [
        gettext_lazy("add new products and update known SKUs"), gettext_lazy("add new products only"),
        gettext_lazy("update known SKUs only")], strict=True)))
    dry_run = forms.BooleanField(label=gettext_lazy("Check only (dry run): change nothing"), required=False, initial=True)
    all_or_nothing = forms.BooleanField(label=gettext_lazy("Import nothing if any row has an error"), required=False)
