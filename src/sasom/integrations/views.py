from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.integrations.forms import ApiKeyForm
from sasom.integrations.models import ApiKey
from sasom.integrations.services import api_key_create, api_key_revoke


@require_perm("api_keys.manage")
def api_keys(request: HttpRequest) -> HttpResponse:
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
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, organization_id=request.organization.id)
    api_key_revoke(api_key=key, actor=Actor.from_request(request))
    return redirect("integrations:api_keys")
