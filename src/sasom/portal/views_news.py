"""Back office: the news the portal shows members (Marketing → Portal news)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.bounded import BoundedForm
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.core.permissions import require_perm
from sasom.members.models import MemberType
from sasom.organizations.http import StaffRequest
from sasom.segments.forms import SegmentForm, segment_initial
from sasom.tiers.models import Tier

from .models import News
from .news import news_delete, news_link, news_save


class NewsForm(BoundedForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))
    image = forms.FileField(label=gettext_lazy("Picture"), required=False,
                            help_text=gettext_lazy("JPEG, PNG or WebP; shown across the member's phone."))
    link = forms.URLField(label=gettext_lazy("Link"), required=False, assume_scheme="https")
    starts_on = ShopDateField(label=gettext_lazy("Shown from"))
    ends_on = ShopDateField(label=gettext_lazy("Shown until"), required=False)
    member_types = forms.MultipleChoiceField(label=gettext_lazy("Only these member types"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    tiers = forms.MultipleChoiceField(label=gettext_lazy("Only these tiers"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    is_published = forms.BooleanField(label=gettext_lazy("Published"), required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=9999, initial=0)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_types"].choices = list(  # type: ignore[attr-defined]
            MemberType.objects.filter(organization_id=organization_id).values_list("code", "name"))
        self.fields["tiers"].choices = list(  # type: ignore[attr-defined]
            Tier.objects.filter(organization_id=organization_id).values_list("code", "name"))


@require_perm("messages.manage")
def news_list(request: StaffRequest) -> HttpResponse:
    rows = News.objects.filter(organization=request.organization)
    return render(request, "portal/staff/news_list.html", {"rows": rows})


def _segment_form(request: StaffRequest, row: News | None) -> SegmentForm:
    """The segment a news item aims at (the shared form; member types and tiers are the news
    form's own fields)."""
    return SegmentForm(request.POST or None, prefix="segment", organization_id=request.organization.pk,
                       exclude=("member_types", "tiers"), initial=segment_initial(row.conditions) if row else {})


@require_perm("messages.manage")
def news_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    org_id = request.organization.pk
    row = get_object_or_404(News, organization_id=org_id, pk=pk) if pk is not None else None
    initial = ({k: getattr(row, k) for k in ("title", "body", "link", "starts_on", "ends_on", "member_types", "tiers",
                                              "is_published", "sort_order")} if row else {})
    form = NewsForm(request.POST or None, request.FILES or None, initial=initial, organization_id=org_id)
    segment = _segment_form(request, row)
    if request.method == "POST" and all([form.is_valid(), segment.is_valid()]):
        try:
            news_save(organization_id=org_id, data={**form.cleaned_data, "conditions": segment.conditions()},
                      image=form.cleaned_data.get("image"), news=row, actor=Actor.from_request(request))
        except DomainError as exc:
            if (exc.field or "").startswith("conditions"):
                segment.add_segment_error(exc.field, exc.message)
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("news:list")
    portal_link = news_link(request.organization, row.pk) if row is not None else ""
    return render(request, "portal/staff/news_form.html", {
        "form": form, "segment": segment, "row": row, "portal_link": portal_link})


@require_POST
@require_perm("messages.manage")
def news_remove(request: StaffRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(News, organization=request.organization, pk=pk)
    news_delete(news=row, actor=Actor.from_request(request))
    messages.success(request, _("Deleted."))
    return redirect("news:list")
