"""Member types: list, create, edit, delete (only when no member has the type)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest

from .. import services
from ..forms import CustomFieldForm, MemberTypeForm, add_domain_error
from ..models import CustomField, MemberType


@require_perm("member_types.view")
def member_type_list(request: StaffRequest) -> HttpResponse:
    types = MemberType.objects.filter(organization=request.organization).annotate(member_count=Count("members"))
    fields = CustomField.objects.filter(organization=request.organization)
    return render(request, "members/types.html", {"types": types, "custom_fields": fields})


@require_perm("member_types.manage")
def member_type_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(MemberType, organization=request.organization, pk=pk) if pk else None
    form = MemberTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_type_save(
                organization=request.organization, actor=Actor.from_request(request),
                data=form.cleaned_data, member_type=instance,
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Member type saved."))
            return redirect("members:types")
    return render(request, "members/type_form.html", {"form": form, "member_type": instance},
                  status=400 if form.errors else 200)


@require_POST
@require_perm("member_types.manage")
def member_type_delete(request: StaffRequest, pk: int) -> HttpResponse:
    mt = get_object_or_404(MemberType, organization=request.organization, pk=pk)
    try:
        services.member_type_delete(member_type=mt, actor=Actor.from_request(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Member type deleted."))
    return redirect("members:types")


@require_perm("member_types.manage")
def custom_field_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(CustomField, organization=request.organization, pk=pk) if pk else None
    form = CustomFieldForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_field_save(
                organization=request.organization, actor=Actor.from_request(request),
                data=form.cleaned_data, custom_field=instance,
            )
        except DomainError as e:
            add_domain_error(form, e)
        else:
            messages.success(request, _("Member field saved."))
            return redirect("members:types")
    return render(request, "members/custom_field_form.html", {"form": form, "custom_field": instance},
                  status=400 if form.errors else 200)


@require_POST
@require_perm("member_types.manage")
def custom_field_delete(request: StaffRequest, pk: int) -> HttpResponse:
    cf = get_object_or_404(CustomField, organization=request.organization, pk=pk)
    services.custom_field_delete(custom_field=cf, actor=Actor.from_request(request))
    messages.success(request, _("Member field deleted; values already stored are kept."))
    return redirect("members:types")
