"""Price tables and the pricing settings in the back office: list and create tables, a table's
prices (add, change, remove; overlapping periods refused), the member types that use it, and how
the till prices a basket. Each view parses its form, calls one service, redirects (no double
effect on a refresh)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.bounded import BoundedForm
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.core.forms_money import ShopMoneyField
from sasom.core.permissions import require_perm
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch

from . import price_tables
from .models import Price, PriceTable, PricingSettings


class TableForm(BoundedForm):
    code = forms.CharField(label=_l("Code"), max_length=20)
    name = forms.CharField(label=_l("Name"), max_length=100)
    note = forms.CharField(label=_l("Note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_l("Active"), required=False, initial=True)
    member_types = forms.MultipleChoiceField(label=_l("Member types that use this table"), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, organization_id: int, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["member_types"]).choices = [
            (mt.code, f"{mt.code} {mt.name}") for mt in MemberType.objects.filter(organization_id=organization_id)]
        if editing:
            del self.fields["code"]


class PriceForm(BoundedForm):
    sku = forms.CharField(label=_l("SKU or barcode"), max_length=64)
    price = ShopMoneyField(label=_l("Price"), max_digits=12, decimal_places=2, max_value=9_999_999_999)
    branch = forms.ChoiceField(label=_l("Branch"), required=False)
    valid_from = ShopDateField(label=_l("Valid from"), required=False)
    valid_to = ShopDateField(label=_l("Valid to (inclusive)"), required=False)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["branch"]).choices = [("", _("Every branch"))] + [
            (b.code, f"{b.code} {b.name}") for b in Branch.objects.filter(organization_id=organization_id)]


class SettingsForm(BoundedForm):
    authority = forms.ChoiceField(label=_l("Whose prices win"), choices=PricingSettings.Authority.choices)
    open_lines = forms.BooleanField(label=_l("Accept products not in the catalog (open-price lines)"),
                                    required=False)
    general_table = forms.ChoiceField(label=_l("General price table (everyone's prices, e.g. a branch's own)"),
                                      required=False)
    member_discount_min_bill = ShopMoneyField(label=_l("Minimum bill for member discounts"), max_digits=12,
                                              decimal_places=2, max_value=9_999_999_999)
    member_discount_skips_discounted_lines = forms.BooleanField(
        label=_l("No member discount on lines already discounted"), required=False)
    member_discount_excluded_categories = forms.CharField(
        label=_l("Categories without member discount (codes, comma-separated; sub-categories included)"),
        required=False, max_length=2000)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["general_table"]).choices = [("", _("None"))] + [
            (t.code, f"{t.code} {t.name}") for t in PriceTable.objects.filter(organization_id=organization_id)]


def _domain_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _tables_page(request: StaffRequest, form: TableForm) -> HttpResponse:
    tables = [(t, price_tables.member_type_codes(t), t.prices.count())
              for t in PriceTable.objects.filter(organization_id=request.organization.pk)]
    return render(request, "catalog/prices/tables.html", {"tables": tables, "form": form},
                  status=400 if form.errors else 200)


@require_perm("catalog.view")
def table_list(request: StaffRequest) -> HttpResponse:
    return _tables_page(request, TableForm(organization_id=request.organization.pk))


@require_POST
@require_perm("catalog.manage")
def table_create(request: StaffRequest) -> HttpResponse:
    form = TableForm(request.POST, organization_id=request.organization.pk)
    if form.is_valid():
        try:
            table = price_tables.price_table_create(organization_id=request.organization.pk,
                                                    actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as e:
            _domain_error(form, e)
        else:
            messages.success(request, _("Price table created."))
            return redirect("prices:table", code=table.code)
    return _tables_page(request, form)


def _table_page(request: StaffRequest, table: PriceTable, *, table_form: TableForm | None = None,
                price_form: PriceForm | None = None) -> HttpResponse:
    org_id = request.organization.pk
    sku = (request.GET.get("sku") or "").strip()[:64]
    rows = Price.objects.filter(organization_id=org_id, table=table).select_related("product", "branch").order_by(
        "product__sku", "branch__code", "valid_from", "id")
    if sku:
        rows = rows.filter(product__sku__icontains=sku)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    table_form = table_form or TableForm(organization_id=org_id, editing=True, initial={
        "name": table.name, "note": table.note, "is_active": table.is_active,
        "member_types": price_tables.member_type_codes(table)})
    price_form = price_form or PriceForm(organization_id=org_id)
    errors = bool(table_form.errors or price_form.errors)
    return render(request, "catalog/prices/table.html", {
        "table": table, "page": page, "sku": sku, "table_form": table_form, "price_form": price_form,
    }, status=400 if errors else 200)


@require_perm("catalog.view")
def table_detail(request: StaffRequest, code: str) -> HttpResponse:
    return _table_page(request, get_object_or_404(PriceTable, organization=request.organization, code=code))


@require_POST
@require_perm("catalog.manage")
def table_edit(request: StaffRequest, code: str) -> HttpResponse:
    table = get_object_or_404(PriceTable, organization=request.organization, code=code)
    form = TableForm(request.POST, organization_id=request.organization.pk, editing=True)
    if form.is_valid():
        try:
            price_tables.price_table_update(table=table, actor=Actor.from_request(request), data=form.cleaned_data)
        except DomainError as e:
            _domain_error(form, e)
        else:
            messages.success(request, _("Price table saved."))
            return redirect("prices:table", code=table.code)
    return _table_page(request, table, table_form=form)


@require_POST
@require_perm("catalog.manage")
def price_add(request: StaffRequest, code: str) -> HttpResponse:
    table = get_object_or_404(PriceTable, organization=request.organization, code=code)
    form = PriceForm(request.POST, organization_id=request.organization.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            price_tables.price_set(table=table, actor=Actor.from_request(request), product_code=data["sku"],
                                   price=data["price"], branch=data["branch"] or None,
                                   valid_from=data["valid_from"], valid_to=data["valid_to"])
        except DomainError as e:
            _domain_error(form, e)
        else:
            messages.success(request, _("Price saved."))
            return redirect("prices:table", code=table.code)
    return _table_page(request, table, price_form=form)


@require_POST
@require_perm("catalog.manage")
def price_remove(request: StaffRequest, code: str, pk: int) -> HttpResponse:
    row = get_object_or_404(Price.objects.select_related("table", "product"), organization=request.organization,
                            table__code=code, pk=pk)
    price_tables.price_delete(price=row, actor=Actor.from_request(request))
    messages.success(request, _("Price removed."))
    return redirect("prices:table", code=code)


@require_perm("catalog.manage")
def settings_edit(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.pk
    row = price_tables.pricing_settings_of(org_id)
    initial = {
        "authority": row.authority, "open_lines": row.open_lines,
        "general_table": row.general_table.code if row.general_table else "",
        "member_discount_min_bill": row.member_discount_min_bill,
        "member_discount_skips_discounted_lines": row.member_discount_skips_discounted_lines,
        "member_discount_excluded_categories": ", ".join(row.member_discount_excluded_categories or []),
    }
    form = SettingsForm(request.POST or None, organization_id=org_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["member_discount_excluded_categories"] = [
            c.strip() for c in data["member_discount_excluded_categories"].split(",") if c.strip()]
        try:
            price_tables.pricing_settings_save(organization_id=org_id, actor=Actor.from_request(request), data=data)
        except DomainError as e:
            _domain_error(form, e)
        else:
            messages.success(request, _("Pricing settings saved."))
            return redirect("prices:settings")
    return render(request, "catalog/prices/settings.html", {"form": form, "configured": row.pk is not None},
                  status=400 if form.errors else 200)
