"""What a person reads names things as people do: no model repr ("Card object (499)",
"RewardSettings object (1)") in a list or the audit trail, no "None → 0" (issue 13)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from sasom.core.audit import Actor, audit_record
from sasom.members.models import Card
from sasom.organizations.models import Role
from sasom.rewards.models import RewardSettings

pytestmark = pytest.mark.django_db


def test_every_model_names_itself():
    unnamed = [m.__name__ for m in apps.get_models()
               if m.__module__.startswith("sasom.") and m.__str__ is models.Model.__str__]
    assert not unnamed


def test_replace_a_lost_card_lists_card_numbers(staff_client, member):
    # given a member with a card
    Card.objects.create(organization=member.organization, member=member, number="C-0001", issued_on=member.joined_on)
    # when the member file is opened
    page = staff_client(Role.ADMIN).get(reverse("members:detail", args=[member.pk])).content.decode()
    # then the card to replace is offered by its number
    assert "C-0001" in page and "Card object" not in page


def test_the_audit_trail_reads_as_people_write(staff_client, org):
    # given a settings change recorded with a model repr (as before) and a value set from nothing
    settings = RewardSettings.objects.create(organization=org)
    audit_record(organization_id=org.pk, actor=Actor.system(), action="settings.update", obj=settings,
                 object_repr="RewardSettings object (1)",
                 changes={"purchase_max_points": [None, 0], "point_price": ["0.50", "1.00"]})
    # when the audit trail is read
    page = staff_client(Role.OWNER).get(reverse("core:audit")).content.decode()
    # then the object is named by its kind, fields by their labels, nothing as None or a repr
    assert "object (1)" not in page and "None" not in page
    assert str(RewardSettings._meta.verbose_name) in page
    assert str(RewardSettings._meta.get_field("purchase_max_points").verbose_name) in page
    assert "— → 0" in page
