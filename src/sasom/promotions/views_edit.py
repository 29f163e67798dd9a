"""Back office: create a promotion (choose a kind, then its form) and edit one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch
from sasom.promotions import selectors, services
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.forms import PromotionForm, param_fields, params_from_post
from sasom.promotions.models import Promotion, Status
from sasom.promotions.validation import PROMOTION_FIELDS

LIST_FIELDS = ("item_skus", "item_categories", "item_brands", "exclude_skus", "tiers", "terminals", "salespersons",
               "document_types")


def choices_of(request: StaffRequest) -> dict[str, list[tuple[str, str]]]:
    org_id = request.organization.pk
    return {
        "member_types": [(c, f"{c} {n}") for c, n in
                         MemberType.objects.filter(organization_id=org_id).values_list("code", "name")],
        "branches": [(c, f"{c} {n}") for c, n in Branch.objects.filter(organization_id=org_id).values_list("code", "name")],
    }


def _initial(promotion: Promotion | None) -> dict[str, Any]:
    if promotion is None:
        return {"priority": 100}
    initial = {f: getattr(promotion, f) for f in PROMOTION_FIELDS if f not in ("params", "kind")}
    for f in LIST_FIELDS:
        initial[f] = ", ".join(getattr(promotion, f))
    initial["weekdays"] = [str(d) for d in promotion.weekdays]
    for f in ("starts_at", "ends_at"):
        if initial[f] is not None:
            initial[f] = timezone.localtime(initial[f])
    return initial


def _data(form: PromotionForm, request: StaffRequest) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for f in ("starts_at", "ends_at"):  # a datetime-local input is the organization's wall clock
        if data.get(f) is not None and timezone.is_naive(data[f]):
            data[f] = timezone.make_aware(data[f], timezone.get_current_timezone())
    return data


def show_error(exc: DomainError, form: Any, param_errors: dict[str, str]) -> None:
    """A refusal shown on the field it names: a parameter's rows or input, else the form's field."""
    field = exc.field or ""
    if field.startswith("params.") or field == "params":
        name = field.split(".")[1] if "." in field else ""
        param_errors[name or "_"] = str(exc.message)
        if not name:
            form.add_error(None, exc.message)
        return
    if field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


@require_perm("promotions.manage")
def promotion_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    promotion = None
    if pk is not None:
        promotion = selectors.promotion_get(organization_id=request.organization.pk, promotion_id=pk)
        if promotion is None:
            raise Http404
        if promotion.status == Status.ENDED:
            messages.error(request, _("An ended promotion cannot be changed; copy it instead."))
            return redirect("promotions:detail", promotion.pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or (promotion.kind if promotion else "")
    if kind not in KINDS:
        if promotion is None:  # first choose a kind
            return render(request, "promotions/choose_kind.html", {"kinds": list(KINDS.values())})
        kind = promotion.kind  # a stored kind no longer registered: edited as it is
    choices = choices_of(request)
    param_errors: dict[str, str] = {}
    if request.method == "POST":
        form = PromotionForm(request.POST, **choices)
        params = params_from_post(kind, request.POST)
        if form.is_valid():
            data = _data(form, request) | {"kind": kind, "params": params}
            actor = Actor.from_request(request)
            try:
                if promotion is None:
                    promotion = services.promotion_create(organization_id=request.organization.pk, actor=actor, **data)
                else:
                    promotion = services.promotion_update(promotion=promotion, actor=actor, **data)
            except DomainError as exc:
                show_error(exc, form, param_errors)
            else:
                messages.success(request, _("Promotion saved."))
                return redirect("promotions:detail", promotion.pk)
        fields = param_fields(kind, params, param_errors)
    else:
        form = PromotionForm(initial=_initial(promotion), **choices)
        same_kind = promotion is not None and promotion.kind == kind
        fields = param_fields(kind, promotion.params if same_kind and promotion is not None else None)
    return render(request, "promotions/form.html", {
        "form": form, "promotion": promotion, "kind": KINDS.get(kind), "kind_code": kind, "param_fields": fields,
        "param_error": param_errors.get("_", ""),
    })
