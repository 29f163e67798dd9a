"""The member portal's pages (``/m/<organization code>/``): mobile first, the member's own data only.

Every page but the login takes the member from the session (:func:`session.member_required`),
never from the URL; the one object id a URL carries (a coupon) is fetched within that member.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sasom.core.audit import client_ip
from sasom.core.dates import zone_of
from sasom.core.errors import DomainError
from sasom.ledger.tier_card import tier_card
from sasom.members.models import Consent, Member
from sasom.notifications.backends import mask
from sasom.notifications.line_link import line_link_code_issue, line_unlink
from sasom.notifications.models import LineLink
from sasom.notifications.selectors import line_offered
from sasom.organizations.models import Organization
from sasom.rewards.pricing import coupon_code_display

from . import selectors, services
from .forms import CodeForm, PhoneForm
from .models import LoginCode
from .news import news_for_member, news_get
from .session import (
    EXPIRED_KEY,
    PENDING_KEY,
    member_required,
    portal_login,
    portal_logout,
    portal_page,
    session_member,
)


def _qr(text: str, scale: int = 5) -> str:
    """An inline SVG QR code (the same maker as the counter's coupon slips)."""
    return segno.make(text, micro=False, error="m").svg_inline(scale=scale, border=2, omitsize=True)


def _ctx(organization: Organization, member: Member | None = None, **extra) -> dict:
    return {"organization": organization, "member": member, **extra}


def _home(organization: Organization) -> HttpResponse:
    return redirect(reverse("portal:home", args=[organization.code]))


@require_http_methods(["GET", "POST"])
@portal_page
def login_view(request: HttpRequest, organization: Organization) -> HttpResponse:
    if session_member(request, organization) is not None:
        return _home(organization)
    expired = request.session.pop(EXPIRED_KEY, False)
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            row = services.login_code_request(organization=organization, phone=form.cleaned_data["phone"],
                                              ip=client_ip(request))
        except DomainError as error:
            form.add_error("phone", str(error.message))
            status = error.status if error.status == 429 else 200
        else:
            request.session[PENDING_KEY] = row.pk
            return redirect(reverse("portal:code", args=[organization.code]))
    return render(request, "portal/login.html", _ctx(organization, form=form, expired=expired), status=status)


@require_http_methods(["GET", "POST"])
@portal_page
def code_view(request: HttpRequest, organization: Organization) -> HttpResponse:
    pending_id = request.session.get(PENDING_KEY)
    pending = LoginCode.objects.filter(organization=organization, pk=pending_id).only("phone").first() if pending_id else None
    if pending is None:
        return redirect(reverse("portal:login", args=[organization.code]))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = services.login_code_verify(organization=organization, code_id=pending.pk,
                                                code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", str(error.message))
            status = error.status if error.status in (403, 429) else 200
        else:
            portal_login(request, member)
            return _home(organization)
    return render(request, "portal/code.html", _ctx(organization, form=form, phone=mask(pending.phone)), status=status)


@require_POST
@portal_page
def resend_view(request: HttpRequest, organization: Organization) -> HttpResponse:
    pending_id = request.session.get(PENDING_KEY)
    pending = LoginCode.objects.filter(organization=organization, pk=pending_id).only("phone").first() if pending_id else None
    if pending is None:
        return redirect(reverse("portal:login", args=[organization.code]))
    try:
        row = services.login_code_request(organization=organization, phone=pending.phone, ip=client_ip(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        request.session[PENDING_KEY] = row.pk
        messages.success(request, _("A new code is on its way."))
    return redirect(reverse("portal:code", args=[organization.code]))


@require_POST
@portal_page
def logout_view(request: HttpRequest, organization: Organization) -> HttpResponse:
    portal_logout(request)
    messages.success(request, _("You have logged out."))
    return redirect(reverse("portal:login", args=[organization.code]))


@member_required
def home(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    return render(request, "portal/home.html", _ctx(
        organization, member, balance=selectors.portal_balance(member), qr=_qr(member.code, scale=6), tab="home",
        tier=tier_card(organization_id=organization.pk, member_id=member.pk),
        news=news_for_member(member, timezone.localdate(timezone=zone_of(organization)),
                             time_zone=organization.time_zone)[:3],
    ))


@member_required
def news(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    rows = news_for_member(member, timezone.localdate(timezone=zone_of(organization)),
                           time_zone=organization.time_zone)
    return render(request, "portal/news.html", _ctx(organization, member, news=rows, tab="home"))


@member_required
def news_detail(request: HttpRequest, organization: Organization, member: Member, pk: int) -> HttpResponse:
    item = news_get(member, pk, timezone.localdate(timezone=zone_of(organization)), time_zone=organization.time_zone)
    return render(request, "portal/news_item.html", _ctx(organization, member, item=item, tab="home"))


@member_required
def history(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    page = selectors.portal_history(member, request.GET.get("page"))
    return render(request, "portal/history.html", _ctx(organization, member, page=page, tab="history"))


@member_required
def coupons(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    shelves = selectors.portal_coupons(member)
    active = [(c, coupon_code_display(c.code), _qr(c.code, scale=4)) for c in shelves.active]
    return render(request, "portal/coupons.html", _ctx(organization, member, active=active, shelves=shelves,
                                                       tab="coupons"))


@member_required
def coupon_detail(request: HttpRequest, organization: Organization, member: Member, pk: int) -> HttpResponse:
    coupon = selectors.portal_coupon(member, pk)
    usable = coupon.status == coupon.Status.ISSUED and coupon.expires_at > timezone.now()
    return render(request, "portal/coupon.html", _ctx(
        organization, member, coupon=coupon, code=coupon_code_display(coupon.code), usable=usable,
        qr=_qr(coupon.code, scale=6) if usable else "", tab="coupons",
    ))


@member_required
def rewards(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    balance = selectors.portal_balance(member)
    items = [(r, max(r.points_cost - balance.spendable, 0)) for r in selectors.portal_rewards(member)]
    return render(request, "portal/rewards.html", _ctx(organization, member, balance=balance, items=items,
                                                       tab="rewards"))


@require_http_methods(["GET", "POST"])
@member_required
def my_data(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        granted = request.POST.get("granted") == "1"
        try:
            changed = services.portal_consent_set(member=member, purpose=purpose, granted=granted, ip=client_ip(request))
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            if changed:
                messages.success(request, _("Your choice is saved.") if granted else _("Your consent is withdrawn."))
        return redirect(reverse("portal:my_data", args=[organization.code]))
    consents = selectors.portal_consents(member)
    rows = [(p, Consent.Purpose(p).label, consents[p]) for p in services.CONSENT_PURPOSES]
    return render(request, "portal/my_data.html", _ctx(organization, member, consents=rows, tab="me"))


@member_required
def my_data_export(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    file = services.portal_data_export(member=member, fmt=request.GET.get("format", "json"), ip=client_ip(request))
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@member_required
@require_http_methods(["GET", "POST"])
def line_view(request: HttpRequest, organization: Organization, member: Member) -> HttpResponse:
    """Link the member's LINE: a code to send to the shop's LINE account (docs/messaging.md)."""
    offered, add_friend_url = line_offered(organization.pk)
    code = expires_at = None
    if request.method == "POST" and offered:
        if request.POST.get("action") == "unlink":
            if line_unlink(member=member, actor=services.portal_actor(member, client_ip(request))):
                messages.success(request, _("Your LINE is no longer linked."))
            return redirect(reverse("portal:line", args=[organization.code]))
        code, expires_at = line_link_code_issue(member=member)
    link = LineLink.objects.filter(organization=organization, member=member).first()
    return render(request, "portal/line.html", _ctx(organization, member, offered=offered, add_friend_url=add_friend_url,
                                                   link=link, code=code, expires_at=expires_at, tab="me"))
