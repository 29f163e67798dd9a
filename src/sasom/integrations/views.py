from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.integrations.batch_list import batch_unposted, unposted_code, unposted_reason
from sasom.integrations.forms import ApiKeyForm, BatchUploadForm, WebhookEndpointForm
from sasom.integrations.models import (
    ApiKey,
    SaleBatch,
    WebhookDelivery,
    WebhookEndpoint,
)
from sasom.integrations.services import (
    api_key_create,
    api_key_revoke,
    batch_calculate_start,
    batch_plans_parse,
    batch_upload,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
)
from sasom.integrations.webhooks import webhook_resend
from sasom.organizations.http import StaffRequest


@require_perm("api_keys.manage")
def api_keys(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.id
    form = ApiKeyForm(request.POST or None, organization_id=org_id)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_create(organization_id=org_id, actor=Actor.from_request(request), **form.cleaned_data)
            form = ApiKeyForm(organization_id=org_id)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    keys = ApiKey.objects.filter(organization_id=org_id).select_related("branch", "terminal")
    return render(request, "integrations/api_keys.html", {"form": form, "keys": keys, "issued": issued})


@require_POST
@require_perm("api_keys.manage")
def api_key_revoke_view(request: StaffRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, organization_id=request.organization.id)
    api_key_revoke(api_key=key, actor=Actor.from_request(request))
    return redirect("integrations:api_keys")


@require_perm("webhooks.manage")
def webhooks(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.id
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_create(organization_id=org_id, actor=Actor.from_request(request), **form.cleaned_data)
            return redirect("integrations:webhooks")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    endpoints = WebhookEndpoint.objects.filter(organization_id=org_id)
    deliveries = Paginator(
        WebhookDelivery.objects.filter(organization_id=org_id).select_related("endpoint"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "integrations/webhooks.html",
                  {"form": form, "endpoints": endpoints, "page": deliveries})


@require_POST
@require_perm("webhooks.manage")
def webhook_deactivate_view(request: StaffRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, organization_id=request.organization.id)
    webhook_endpoint_deactivate(endpoint=endpoint, actor=Actor.from_request(request))
    return redirect("integrations:webhooks")


@require_POST
@require_perm("webhooks.manage")
def webhook_resend_view(request: StaffRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk, organization_id=request.organization.id)
    webhook_resend(delivery=delivery)
    messages.success(request, _("The delivery was queued again."))
    return redirect("integrations:webhooks")


@require_perm("batches.manage")
def batches(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.id
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batch_upload(
                organization_id=org_id, business_on=data["business_on"], fmt=data["format"], uploaded=data["file"],
                actor=Actor.from_request(request), calculate=data["calculate"], plans=batch_plans_parse(data["plans"]),
            )
            return redirect("integrations:batch", pk=batch.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    page = Paginator(SaleBatch.objects.filter(organization_id=org_id), 30).get_page(request.GET.get("page"))
    return render(request, "integrations/batches.html", {"form": form, "page": page})


@require_perm("batches.manage")
def batch_detail(request: StaffRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SaleBatch, pk=pk, organization_id=request.organization.id)
    if request.method == "POST":
        try:
            batch_calculate_start(batch=batch, actor=Actor.from_request(request))
            messages.success(request, _("The calculation was queued; this page follows its progress."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("integrations:batch", pk=batch.pk)
    rejected = Paginator(batch_unposted(batch), 50).get_page(request.GET.get("page"))
    for doc in rejected:
        doc.code, doc.why = unposted_code(doc), unposted_reason(doc)  # type: ignore[attr-defined]
    context = {"batch": batch, "page": rejected, "running": batch.status in ("parsing", "calculating")}
    if request.htmx and request.GET.get("progress"):
        return render(request, "integrations/_batch_progress.html", context)
    return render(request, "integrations/batch_detail.html", context)


@require_perm("batches.manage")
def batch_rejected_csv(request: StaffRequest, pk: int) -> StreamingHttpResponse:
    import csv

    batch = get_object_or_404(SaleBatch, pk=pk, organization_id=request.organization.id)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    rows = batch_unposted(batch)
    header = [["row", "branch", "document_type", "document_number", "status", "code", "reason", "first_batch"]]
    stream = (writer.writerow(r) for r in header + [
        [d.row_no, d.branch_code, d.document_type, d.document_number, d.status, unposted_code(d), unposted_reason(d),
         getattr(d, "first_batch_id", None) or ""] for d in rows.iterator()
    ])
    response = StreamingHttpResponse(("\ufeff", *stream), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-rejected.csv"'
    return response
