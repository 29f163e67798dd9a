"""Back office: the promotion list, a promotion's page (its conditions, the state buttons, copy,
and "try a basket"), and the settings. Create and edit live in ``views_edit.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.currency import currency_of
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations.http import StaffRequest
from sasom.promotions import selectors, services
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.forms import WEEKDAYS, CopyForm, PreviewForm, SettingsForm
from sasom.promotions.models import Promotion, Status
from sasom.promotions.preview import Preview, basket_preview
from sasom.promotions.texts import summary_shown
from sasom.promotions.validation import stored

ACTIONS = {
    "activate": (services.promotion_activate, gettext_lazy("Promotion activated.")),
    "pause": (services.promotion_pause, gettext_lazy("Promotion paused.")),
    "resume": (services.promotion_resume, gettext_lazy("Promotion resumed.")),
    "end": (services.promotion_end, gettext_lazy("Promotion ended.")),
}


def summary_of(promotion: Promotion, organization: Any) -> str:
    """The promotion's one-line summary in the reader's language and the shop's display unit."""
    return summary_shown(promotion.kind, promotion.params, currency_of(organization))


def _promotion(request: StaffRequest, pk: int) -> Promotion:
    promotion = selectors.promotion_get(organization_id=request.organization.pk, promotion_id=pk)
    if promotion is None:
        raise Http404
    return promotion


@require_perm("promotions.view")
def promotion_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    qs = selectors.promotions_list(organization_id=request.organization.pk,
                                   status=status if status in Status.values else "",
                                   kind=kind if kind in KINDS else "")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [{"p": p, "summary": summary_of(p, request.organization), "kind": KINDS.get(p.kind)} for p in page]
    return render(request, "promotions/list.html", {
        "page": page, "rows": rows, "status": status, "kind": kind, "statuses": Status.choices,
        "kinds": [(code, k.label) for code, k in KINDS.items()],
    })


def _detail(request: StaffRequest, promotion: Promotion, *, preview_form: PreviewForm | None = None,
            preview: Preview | None = None, copy_form: CopyForm | None = None) -> HttpResponse:
    can_manage = staff_has(request.staff, "promotions.manage")
    context: dict[str, Any] = {
        "p": promotion, "kind": KINDS.get(promotion.kind), "summary": summary_of(promotion, request.organization), "can_manage": can_manage,
        "weekday_names": [WEEKDAYS[d][1] for d in promotion.weekdays if 0 <= d <= 6],
        "preview_form": preview_form or PreviewForm(), "preview": preview,
        "copy_form": copy_form or CopyForm(initial={"code": f"{promotion.code}-2"[:40]}),
        "moves": [a for a, ok in (("activate", promotion.status == Status.DRAFT),
                                  ("pause", promotion.status == Status.ACTIVE),
                                  ("resume", promotion.status == Status.PAUSED),
                                  ("end", promotion.status != Status.ENDED)) if ok],
    }
    return render(request, "promotions/detail.html", context)


@require_perm("promotions.view")
def promotion_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The promotion and "try a basket": the posted basket priced with the active promotions and
    this one as if active (nothing is stored; the form carries a form token like every back-office form, a new one each time it is shown)."""
    promotion = _promotion(request, pk)
    if request.method != "POST":
        return _detail(request, promotion)
    form = PreviewForm(request.POST)
    preview = None
    if form.is_valid():
        try:
            preview = basket_preview(
                organization_id=request.organization.pk, lines=form.cleaned_data["lines"],
                member_code=form.cleaned_data["member"].strip(), branch_code=form.cleaned_data["branch"].strip(),
                draft=stored(promotion) if promotion.status != Status.ENDED else None,
            )
        except DomainError as exc:
            field = (exc.field or "").split(".")[0]
            form.add_error(field if field in form.fields else None, exc.message)
    return _detail(request, promotion, preview_form=form, preview=preview)


@require_POST
@require_perm("promotions.manage")
def promotion_move(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    promotion = _promotion(request, pk)
    service, done = ACTIONS[action]
    try:
        service(promotion=promotion, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("promotions:detail", promotion.pk)


@require_POST
@require_perm("promotions.manage")
def promotion_copy(request: StaffRequest, pk: int) -> HttpResponse:
    promotion = _promotion(request, pk)
    form = CopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.promotion_copy(promotion=promotion, actor=Actor.from_request(request),
                                           code=form.cleaned_data["code"], name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("code" if exc.field == "code" else None, exc.message)
        else:
            messages.success(request, _("Copied as a draft."))
            return redirect("promotions:detail", copy.pk)
    return _detail(request, promotion, copy_form=form)


@require_perm("promotions.view")
def settings_edit(request: StaffRequest) -> HttpResponse:
    row = selectors.settings_get(organization_id=request.organization.pk)
    can_manage = staff_has(request.staff, "promotions.manage")
    initial = {"mode": row.mode, "gifts_earn_points": row.gifts_earn_points}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = SettingsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.promotion_settings_update(organization_id=request.organization.pk,
                                                   actor=Actor.from_request(request), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("promotions:settings")
    else:
        form = SettingsForm(initial=initial)
    return render(request, "promotions/settings.html", {"form": form, "can_manage": can_manage, "row": row})
