"""Back-office screens of tiers (docs/tiers.md): the ladder and "re-evaluate all members now"
(preview, then apply), the member file's tier panel and a tier set by hand. Beside the ledger
because the evaluations read the points earned."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.ledger.forms_tiers import LadderForm, TierSetForm
from sasom.ledger.services.tier_reevaluation import (
    tier_reevaluation_of,
    tier_reevaluation_preview,
    tier_reevaluation_start,
)
from sasom.ledger.tier_card import tier_card
from sasom.members.models import Member
from sasom.organizations.http import StaffRequest
from sasom.tiers.models import Reevaluation
from sasom.tiers.selectors import ladder_row, tier_history, tiers_of
from sasom.tiers.services import ladder_configure, member_tier_set


def _form_error(form: forms.BaseForm, err: DomainError) -> None:
    form.add_error(err.field if err.field in form.fields else None, str(err.message))


@require_perm("rules.view")
def ladder(request: StaffRequest) -> HttpResponse:
    org = request.organization
    row = ladder_row(org.pk)
    may_manage = staff_has(request.staff, "rules.manage")
    if request.method == "POST" and may_manage:
        form = LadderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ladder_configure(organization_id=org.pk, actor=Actor.from_request(request), name=data["name"],
                                 is_active=data["is_active"], basis=data["basis"],
                                 window_months=data["window_months"], downgrade=data["downgrade"],
                                 cutoff_frequency=data["cutoff_frequency"], drop_mode=data["drop_mode"],
                                 benefits_mode=data["benefits_mode"], tiers=data["tiers"])
            except DomainError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("Tier ladder saved. It applies from the next earning on."))
                return redirect("ledger:tiers")
    elif row is not None:
        form = LadderForm(initial={
            "name": row.name, "is_active": row.is_active, "basis": row.basis, "window_months": row.window_months,
            "downgrade": row.downgrade, "cutoff_frequency": row.cutoff_frequency, "drop_mode": row.drop_mode,
            "benefits_mode": row.benefits_mode, "tiers": LadderForm.tiers_text(tiers_of(org.pk)),
        })
    else:
        form = LadderForm(initial={"name": _("Member tiers"), "tiers": "BASIC, Basic, 500\nGOLD, Gold, 1000\nPLAT, Platinum, 2000"})
    return render(request, "ledger/tiers.html", {"form": form, "ladder": row, "tiers": tiers_of(org.pk),
                                                 "may_manage": may_manage})


@require_perm("rules.manage")
def reevaluate(request: StaffRequest) -> HttpResponse:
    """GET: the preview (counts per move and a sample of members, nothing written), or the run
    under way. POST: queue the run in the worker and show its progress (post/redirect/get)."""
    org = request.organization
    if ladder_row(org.pk) is None:
        return redirect("ledger:tiers")
    if request.method == "POST":
        job, created = tier_reevaluation_start(organization_id=org.pk, actor=Actor.from_request(request))
        if created:
            messages.success(request, _("The re-evaluation runs in the background."))
        return redirect("ledger:tiers_reevaluation", job.pk)
    running = Reevaluation.objects.filter(organization_id=org.pk, status__in=["queued", "running"]).first()
    if running is not None:
        return redirect("ledger:tiers_reevaluation", running.pk)
    preview = tier_reevaluation_preview(organization_id=org.pk)
    last = Reevaluation.objects.filter(organization_id=org.pk).first()
    return render(request, "ledger/tiers_reevaluate.html", {
        "moves": sorted(preview.moves.items()), "sample": preview.sample, "preview": preview, "last": last})


@require_perm("rules.manage")
def reevaluation(request: StaffRequest, reevaluation_id: int) -> HttpResponse:
    """A run's progress; the page polls itself (HTMX) until the run is done."""
    job = tier_reevaluation_of(organization_id=request.organization.pk, reevaluation_id=reevaluation_id)
    if job is None:
        raise Http404
    template = "ledger/_tiers_reevaluation.html" if request.htmx else "ledger/tiers_reevaluation.html"
    return render(request, template, {"job": job, "moves": sorted(job.moves.items())})


def member_tier_context(request: StaffRequest, member: Member) -> dict[str, object]:
    """The member file's tier panel, shown in the points panel (``ledger/_member_tier.html``)."""
    card = tier_card(organization_id=member.organization_id, member_id=member.pk)
    return {
        "tier_card": card,
        "tier_history": list(tier_history(organization_id=member.organization_id, member_id=member.pk)[:50])
        if card is not None else [],
        "may_set_tier": card is not None and staff_has(request.staff, "member_types.manage"),
    }


@require_perm("member_types.manage")
def member_tier_set_view(request: StaffRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member, pk=member_id, organization=request.organization)
    choices = [(t.code, t.name) for t in tiers_of(request.organization.pk)]
    form = TierSetForm(request.POST or None, tiers=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_tier_set(organization_id=member.organization_id, member=member, tier_code=data["tier"],
                            until=data["until"], note=data["note"], actor=Actor.from_request(request))
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("Tier set."))
            return redirect("members:detail", member.pk)
    return render(request, "ledger/tier_set.html", {"form": form, "member": member})
