"""Back office: print member cards (Reports → Member cards), for one member (the member file's
"Print card") or for the members a segment picks, with the segment builder's conditions.

A branch manager prints the cards of the members whose home branch is one of theirs. Up to
``cards.INLINE_CARDS`` cards the PDF comes back at once; more go to the task worker as a
``ReportExport`` (its progress page and download are the reports' own); more than
``cards.MAX_CARDS`` is a form error. The form carries ``{% form_token %}``: a double submit prints
(and audits, and queues) once."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import branch_ids_in_scope, require_perm
from sasom.members.models import Member
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch
from sasom.reports import cards
from sasom.reports.cards_background import member_cards_start
from sasom.reports.models import ReportExport
from sasom.segments.forms import SegmentForm

E_TOO_MANY = "reports.cards_too_many"
E_NO_MEMBER = "reports.cards_no_member"
STATUSES = [(Member.Status.ACTIVE, Member.Status.ACTIVE.label), (Member.Status.SUSPENDED, Member.Status.SUSPENDED.label),
            (Member.Status.EXPIRED, Member.Status.EXPIRED.label)]


class CardsForm(SegmentForm):
    """One member by code, or the members the segment builder's conditions pick (the same
    conditions as broadcasts and mailing labels), of the statuses ticked."""

    member = forms.CharField(label=_("Member code"), required=False, max_length=40,
                             help_text=_("One member's card; leave empty to print the members chosen below."))
    layout = forms.ChoiceField(label=_("Print on"), choices=list(cards.LAYOUTS.items()), initial="sheet")
    symbol = forms.ChoiceField(label=_("Code on the back"), choices=list(cards.SYMBOLS.items()), initial="barcode")
    statuses = forms.MultipleChoiceField(label=_("Status"), required=False, choices=STATUSES,
                                         initial=[Member.Status.ACTIVE])
    field_order = ["member", "layout", "symbol", "statuses"]

    def __init__(self, *args: Any, organization_id: int, branches: list[Branch], **kwargs: Any) -> None:
        super().__init__(*args, organization_id=organization_id, **kwargs)
        # a branch manager picks among their own branches only
        cast(forms.ChoiceField, self.fields["home_branches"]).choices = [(b.pk, b.name) for b in branches]

    def conditions(self) -> list[dict[str, Any]]:
        statuses = self.cleaned_data.get("statuses")
        return super().conditions() + ([{"kind": "status", "statuses": list(statuses)}] if statuses else [])


def scoped_branches(staff: Any) -> list[Branch]:
    branches = Branch.objects.filter(organization_id=staff.organization_id).order_by("code")
    scope = branch_ids_in_scope(staff)
    return list(branches if scope is None else branches.filter(pk__in=scope))


@require_perm("reports.view")
def cards_view(request: StaffRequest) -> HttpResponseBase:
    staff = request.staff
    branches = scoped_branches(staff)
    initial = {"member": request.GET.get("member", "")[:40],
               "layout": "single" if request.GET.get("layout") == "single" else "sheet"}
    form = CardsForm(request.POST if request.method == "POST" else None, initial=initial,
                     organization_id=request.organization.pk, branches=branches)
    count = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["member"].strip()
        conditions = [] if code else form.conditions()
        try:
            members = cards.card_members(staff=staff, conditions=conditions, code=code)
            count = members.count()
            if code and not count:
                raise DomainError(E_NO_MEMBER, _g("No member with this code that you may print."), field="member")
            if count > cards.MAX_CARDS:
                raise DomainError(E_TOO_MANY, _g("%(n)s cards: print at most %(max)s at a time (narrow the members "
                                                 "chosen).") % {"n": f"{count:,}", "max": f"{cards.MAX_CARDS:,}"},
                                  field="member_types")
            if "pdf" in request.POST and count:
                return _print(request, form, members, conditions, count)
        except DomainError as exc:
            form.add_segment_error(exc.field, exc.message)
            return render(request, "reports/cards.html", {"form": form, "count": None, "code": exc.code}, status=400)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "reports/cards.html", {"form": form, "count": count, "limits": {
        "inline": cards.INLINE_CARDS, "max": cards.MAX_CARDS}}, status=status)


def _print(request: StaffRequest, form: CardsForm, members: QuerySet[Member], conditions: list[dict[str, Any]],
           count: int) -> HttpResponseBase:
    data = form.cleaned_data
    organization = request.organization
    layout, symbol, code = data["layout"], data["symbol"], data["member"].strip()
    one = members.first() if code else None
    with transaction.atomic():
        cards.cards_print_record(organization=organization, actor=Actor.from_request(request), count=count,
                                 layout=layout, symbol=symbol, member=one, conditions=conditions)
        if count > cards.INLINE_CARDS:
            export = member_cards_start(staff=request.staff, layout=layout, symbol=symbol, conditions=conditions,
                                        count=count, language=translation.get_language() or "th")
            return redirect("reports:cards_export", pk=export.pk)
    pdf = cards.cards_pdf(cards.cards_of(members, organization, symbol), organization=organization, layout=layout,
                          logo=cards.organization_logo(organization))
    response = HttpResponse(pdf, content_type="application/pdf")
    label = re.sub(r"[^A-Za-z0-9_-]", "", code) or "segment"
    response["Content-Disposition"] = f'attachment; filename="{cards.cards_filename(organization, label)}"'
    return response


class _Title:
    title = _("Member cards")


@require_perm("reports.view")
def cards_export(request: StaffRequest, pk: int) -> HttpResponse:
    """A big print's progress (the reports' export page; it polls the reports' status view)."""
    export = get_object_or_404(ReportExport, pk=pk, organization_id=request.organization.pk, staff=request.staff,
                               slug=cards.EXPORT_SLUG)
    return render(request, "reports/export.html", {"export": export, "report": _Title()})
