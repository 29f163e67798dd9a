"""The back office: the ladder screen, the re-evaluation (preview, run, progress), the member file's tier
panel and a tier set by hand; who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sasom.ledger.services.tier_reevaluation import tier_reevaluation_run
from sasom.organizations.models import Role
from sasom.tiers.models import MemberTier, Reevaluation, TierChange, TierLadder

pytestmark = pytest.mark.django_db

FORM = {"name": "Pointspot", "is_active": "on", "basis": "points", "window_months": "12", "downgrade": "cutoff",
        "cutoff_frequency": "quarterly", "drop_mode": "to_reached", "benefits_mode": "stack",
        "tiers": "BASIC, Basic, 500\nGOLD, Gold, 1000, , #d4a017\nPLAT, Platinum, 2000"}


def test_marketing_creates_the_ladder_and_previews_then_applies(staff_client, org, sell, member):
    from django.utils import timezone

    client = staff_client(Role.MARKETING)
    assert client.get(reverse("ledger:tiers")).status_code == 200
    response = client.post(reverse("ledger:tiers"), FORM)
    assert response.status_code == 302, response.content
    assert list(TierLadder.objects.get(organization=org).tiers.values_list("code", flat=True)) == [
        "BASIC", "GOLD", "PLAT"]
    sell(member, 700, when=timezone.now())
    assert MemberTier.objects.get(member=member).tier.code == "BASIC"
    client.post(reverse("ledger:tiers"), {**FORM, "tiers": "BASIC, Basic, 100\nGOLD, Gold, 600"})
    preview = client.get(reverse("ledger:tiers_reevaluate"))
    assert ("BASIC→GOLD", 1) in preview.context["moves"]
    assert [s.member_code for s in preview.context["sample"]] == [member.code]
    assert not TierChange.objects.filter(reason="reevaluation").exists()
    # running it queues the work and shows its progress (post/redirect/get); the page polls itself
    response = client.post(reverse("ledger:tiers_reevaluate"), {"_form_token": "t1"})
    job = Reevaluation.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == reverse("ledger:tiers_reevaluation", args=[job.pk])
    assert MemberTier.objects.get(member=member).tier.code == "BASIC"
    page = client.get(response["Location"])
    assert b"hx-trigger" in page.content
    # a second click while it is queued lands on the same run
    again = client.post(reverse("ledger:tiers_reevaluate"), {"_form_token": "t2"})
    assert again["Location"] == response["Location"] and Reevaluation.objects.count() == 1
    assert client.get(reverse("ledger:tiers_reevaluate"))["Location"] == response["Location"]
    # the worker runs it; the polled part shows the counts and stops polling
    assert tier_reevaluation_run(job.pk) == "done"
    assert MemberTier.objects.get(member=member).tier.code == "GOLD"
    part = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert part.context["moves"] == [("BASIC→GOLD", 1)] and b"hx-trigger" not in part.content


def test_a_bad_tier_line_is_shown_on_the_field(staff_client, org):
    response = staff_client(Role.ADMIN).post(reverse("ledger:tiers"), {**FORM, "tiers": "GOLD, Gold"})
    assert response.status_code == 200 and "tiers" in response.context["form"].errors
    response = staff_client(Role.ADMIN).post(reverse("ledger:tiers"), {**FORM, "downgrade": "expiry"})
    assert "tiers" in response.context["form"].errors
    assert not TierLadder.objects.exists()


def test_cashiers_see_the_tier_but_may_not_change_the_ladder(staff_client, org, sell, member):
    from django.utils import timezone

    staff_client(Role.ADMIN).post(reverse("ledger:tiers"), FORM)
    sell(member, 680, when=timezone.now())
    cashier = staff_client(Role.CASHIER)
    assert cashier.get(reverse("ledger:tiers")).status_code == 403
    panel = cashier.get(reverse("ledger:member_points", args=[member.pk]))
    assert panel.context["tier_card"].missing == 320
    assert not panel.context["may_set_tier"]
    assert cashier.get(reverse("ledger:member_tier_set", args=[member.pk])).status_code == 403


def test_an_admin_sets_a_tier_by_hand(staff_client, org, member):
    admin = staff_client(Role.ADMIN)
    admin.post(reverse("ledger:tiers"), FORM)
    page = admin.get(reverse("ledger:member_tier_set", args=[member.pk]))
    assert page.status_code == 200
    response = admin.post(reverse("ledger:member_tier_set", args=[member.pk]),
                          {"tier": "GOLD", "until": "2099-01-31", "note": "VIP"})
    assert response.status_code == 302
    row = MemberTier.objects.get(member=member)
    assert (row.tier.code, row.floor_tier.code, row.floor_note) == ("GOLD", "GOLD", "VIP")
    panel = admin.get(reverse("ledger:member_points", args=[member.pk]))
    assert panel.context["may_set_tier"] and panel.context["tier_history"][0].reason == "manual"
