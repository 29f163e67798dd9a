"""Back office of messaging: each channel's gateway (credentials sealed), a test message, the log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.jobs import local_today
from sasom.core.permissions import public_view, require_perm
from sasom.members.models import CustomField, Member, MemberType
from sasom.members.selectors import member_lookup
from sasom.members.validation import try_normalize_phone
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Organization
from sasom.segments.builder import segment_preview

from .backends import mask
from .broadcasts import broadcast_cancel, broadcast_create, broadcast_report
from .channels import channel_config_save, channel_test_send, secrets_set
from .errors import E_LINE_SIGNATURE, E_RECIPIENT
from .event_messages import event_message_preview, event_message_save
from .events import EVENTS, events_offered
from .forms import (
    OPTION_PREFIX,
    BroadcastForm,
    ChannelConfigForm,
    EventMessageForm,
    MessagingSettingsForm,
    TestMessageForm,
)
from .gateways import GATEWAYS, gateways_for
from .inbound import delivery_reports_apply, inbound_token, items_of, sms_replies_apply, token_valid
from .line_link import line_webhook_handle
from .links import link_targets
from .models import Broadcast, Channel, ChannelConfig, EventMessage, Message
from .optout import optout_apply, optout_member
from .rules import messaging_settings, messaging_settings_save


def _channel(channel: str) -> Channel:
    if channel not in Channel.values:
        raise Http404
    return Channel(channel)


@require_perm("messaging.manage")
def channels(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.id
    configs = {c.channel: c for c in ChannelConfig.objects.filter(organization_id=org_id)}
    rows = [{"channel": ch, "config": configs.get(ch.value),
             "gateway": GATEWAYS[configs[ch.value].gateway].label if ch.value in configs else None,
             "test_form": TestMessageForm(prefix=ch.value)} for ch in Channel]
    page = Paginator(Message.objects.filter(organization_id=org_id).only(
        "created_at", "channel", "recipient", "purpose", "status", "attempts", "gateway", "segments", "cost", "error"),
        50).get_page(request.GET.get("page"))
    for message in page:
        message.recipient_masked = mask(message.recipient)  # type: ignore[attr-defined]  # shown, never the address
    return render(request, "notifications/channels.html", {"rows": rows, "page": page})


@require_perm("messaging.manage")
def channel_edit(request: StaffRequest, channel: str) -> HttpResponse:
    ch = _channel(channel)
    org_id = request.organization.id
    config = ChannelConfig.objects.filter(organization_id=org_id, channel=ch.value).first()
    choices = gateways_for(ch.value)
    wanted = request.POST.get("gateway") or request.GET.get("gateway") or (config.gateway if config else choices[0].key)
    gateway = next((g for g in choices if g.key == wanted), choices[0])
    same = config is not None and config.gateway == gateway.key
    stored = secrets_set(config) if same else set()
    initial = {}
    if same and config is not None:
        initial = {OPTION_PREFIX + k: v for k, v in config.options.items()}
        initial.update({"cost_per_segment": config.cost_per_segment, "is_active": config.is_active})
    form = ChannelConfigForm(request.POST or None, initial=initial, gateway=gateway, secrets_set=stored)
    if request.method == "POST" and form.is_valid():
        options, secrets = form.split()
        try:
            channel_config_save(organization_id=org_id, channel=ch.value, gateway=gateway.key, options=options,
                                secrets=secrets, cost_per_segment=form.cleaned_data["cost_per_segment"],
                                is_active=form.cleaned_data["is_active"], actor=Actor.from_request(request))
        except DomainError as exc:
            name = OPTION_PREFIX + exc.field if exc.field and OPTION_PREFIX + exc.field in form.fields else exc.field
            form.add_error(name if name in form.fields else None, exc.message)
        else:
            messages.success(request, _("The %(channel)s gateway is saved.") % {"channel": ch.label})
            return redirect("notifications:channels")
    inbound = None
    if ch == Channel.SMS:
        base = settings.PUBLIC_URL.rstrip("/")
        prefix = f"{base}/messaging/sms/{request.organization.code}/{inbound_token(org_id)}"
        inbound = {"report": f"{prefix}/report/", "reply": f"{prefix}/inbound/"}
    return render(request, "notifications/channel_edit.html", {
        "channel": ch, "gateways": choices, "gateway": gateway, "form": form, "config": config, "inbound": inbound})


@require_POST
@require_perm("messaging.manage")
def channel_test(request: StaffRequest, channel: str) -> HttpResponse:
    ch = _channel(channel)
    form = TestMessageForm(request.POST, prefix=ch.value)
    if form.is_valid():
        try:
            channel_test_send(organization=request.organization, channel=ch.value,
                              recipient=form.cleaned_data["recipient"], actor=Actor.from_request(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The test message is queued; its outcome shows in the log below."))
    else:
        messages.error(request, _("Enter whom to send the test to."))
    return redirect("notifications:channels")


@csrf_exempt
@require_POST
@public_view
def line_webhook(request: HttpRequest, org_code: str) -> HttpResponse:
    """LINE's webhook (follow, unfollow, a member sending their link code); signed by LINE."""
    organization = get_object_or_404(Organization, code=org_code)
    try:
        body = request.body.decode("utf-8")
        line_webhook_handle(organization=organization, body=body,
                            signature=request.headers.get("X-Line-Signature", ""))
    except UnicodeDecodeError:
        return JsonResponse({"code": E_LINE_SIGNATURE, "message": "Invalid body.", "field": "body"}, status=400)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
@public_view
def sms_report(request: HttpRequest, org_code: str, token: str) -> HttpResponse:
    """Delivery reports from the SMS gateway (see :mod:`.inbound`)."""
    organization = _inbound_organization(org_code, token)
    changed = delivery_reports_apply(organization=organization, items=items_of(
        request.body, request.content_type or "", request.POST))
    return JsonResponse({"ok": True, "changed": changed})


@csrf_exempt
@require_POST
@public_view
def sms_inbound(request: HttpRequest, org_code: str, token: str) -> HttpResponse:
    """Members' SMS replies (opt-out words); the answer never says whether a phone is a member's."""
    organization = _inbound_organization(org_code, token)
    sms_replies_apply(organization=organization, items=items_of(request.body, request.content_type or "", request.POST))
    return JsonResponse({"ok": True})


@public_view
def optout(request: HttpRequest, org_code: str, member_id: int, token: str) -> HttpResponse:
    """A marketing message's opt-out link (see :mod:`.optout`): asks, then withdraws on POST."""
    organization = get_object_or_404(Organization, code=org_code)
    member = optout_member(organization, member_id, token)
    if member is None:
        raise Http404
    done = not member.marketing_consent
    if request.method == "POST":
        optout_apply(member=member)
        return redirect(request.path)
    return render(request, "notifications/optout.html", {"organization": organization, "done": done})


def _inbound_organization(org_code: str, token: str) -> Organization:
    organization = get_object_or_404(Organization, code=org_code)
    if not token_valid(organization.pk, token):
        raise Http404
    return organization


@require_perm("messages.manage")
def events(request: StaffRequest) -> HttpResponse:
    org_id = request.organization.id
    rows = {(r.event, r.channel): r for r in EventMessage.objects.filter(organization_id=org_id)}
    table = [{"spec": spec, "cells": [{"channel": ch, "row": rows.get((spec.key, ch.value))} for ch in Channel]}
             for spec in events_offered()]
    current = messaging_settings(org_id)
    form = MessagingSettingsForm(request.POST or None, initial={
        "quiet_from": current.quiet_from, "quiet_until": current.quiet_until,
        "marketing_daily_cap": current.marketing_daily_cap, "opt_out_keywords": current.opt_out_keywords})
    if request.method == "POST" and form.is_valid():
        try:
            messaging_settings_save(organization_id=org_id, actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:events")
    return render(request, "notifications/events.html", {"table": table, "channels": list(Channel), "form": form})


@require_perm("messages.manage")
def event_edit(request: StaffRequest, event: str, channel: str) -> HttpResponse:
    ch = _channel(channel)
    spec = EVENTS.get(event)
    if spec is None or not spec.wired:
        raise Http404
    organization = request.organization
    row = EventMessage.objects.filter(organization=organization, event=event, channel=ch.value).first()
    initial = ({f: getattr(row, f) for f in ("is_active", "subject_th", "subject_en", "body_th", "body_en",
                                             "days_before", "date_field")}
               if row else {"body_th": spec.body_th, "body_en": spec.body_en, "days_before": 30})
    date_fields = None
    if spec.date_field:
        date_fields = [(f.key, f.label) for f in CustomField.objects.filter(organization=organization,
                                                                             kind=CustomField.Kind.DATE)]
    form = EventMessageForm(request.POST or None, initial=initial, email=ch == Channel.EMAIL,
                            expiring=spec.days_before, date_fields=date_fields)
    previews = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                member = _preview_member(organization, data.get("preview_member") or "")
                for language in ("th", "en"):
                    body = data.get(f"body_{language}") or ""
                    if body.strip():
                        previews.append((language, event_message_preview(
                            organization=organization, event=event, channel=ch.value, body=body,
                            subject=data.get(f"subject_{language}") or "", member=member, language=language)))
            else:
                event_message_save(
                    organization_id=organization.id, event=event, channel=ch.value, is_active=data["is_active"],
                    body_th=data["body_th"], body_en=data["body_en"], subject_th=data.get("subject_th") or "",
                    subject_en=data.get("subject_en") or "", days_before=data.get("days_before") or 30,
                    date_field=data.get("date_field") or "", actor=Actor.from_request(request))
                messages.success(request, _("Saved."))
                return redirect("notifications:events")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "notifications/event_edit.html", {
        "spec": spec, "channel": ch, "form": form, "previews": previews,
        "placeholders": ["{" + p + "}" for p in spec.placeholders]})


def _preview_member(organization: Organization, text: str) -> Member | None:
    text = text.strip()
    if not text:
        return None
    member = member_lookup(organization.pk, code=text)
    if member is None:
        phone = try_normalize_phone(text, organization.phone_region or "TH")
        member = member_lookup(organization.pk, phone=phone) if phone else None
    if member is None:
        raise DomainError(E_RECIPIENT, _("No member with this code or phone."), field="preview_member")
    return member


def _broadcast_form(request: StaffRequest) -> BroadcastForm:
    organization = request.organization
    types = [(t.pk, t.name) for t in MemberType.objects.filter(organization=organization, is_active=True)]
    links = [(t.key, t.title) for t in link_targets(organization, local_today(organization.time_zone))]
    return BroadcastForm(request.POST or None, member_types=types, links=links, organization_id=organization.pk)


@require_perm("messages.manage")
def broadcasts(request: StaffRequest) -> HttpResponse:
    organization = request.organization
    form = _broadcast_form(request)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                preview = segment_preview(organization_id=organization.id, conditions=form.conditions(), sample=10)
            else:
                broadcast = broadcast_create(
                    organization=organization, name=data["name"], channel=data["channel"], body_th=data["body_th"],
                    body_en=data["body_en"], subject=data.get("subject") or "", conditions=form.conditions(),
                    scheduled_at=data["scheduled_at"], link=data.get("news") or "", actor=Actor.from_request(request))
                messages.success(request, _("The broadcast is scheduled."))
                return redirect("notifications:broadcast", pk=broadcast.pk)
        except DomainError as exc:
            form.add_segment_error(exc.field, exc.message)
    rows = Broadcast.objects.filter(organization=organization)[:50]
    return render(request, "notifications/broadcasts.html", {"form": form, "rows": rows, "preview": preview})


@require_perm("messages.manage")
def broadcast_detail(request: StaffRequest, pk: int) -> HttpResponse:
    broadcast = get_object_or_404(Broadcast, pk=pk, organization=request.organization)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        broadcast_cancel(broadcast=broadcast, actor=Actor.from_request(request))
        return redirect("notifications:broadcast", pk=broadcast.pk)
    return render(request, "notifications/broadcast.html", {"b": broadcast, "report": broadcast_report(broadcast)})
