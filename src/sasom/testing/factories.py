from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from sasom.members.models import Card, CustomField, Member, MemberType
from sasom.organizations.models import Branch, Organization, Role, Staff, Terminal


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"ร้านทดสอบ {n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"B{n}")
    name = factory.Sequence(lambda n: f"สาขา {n}")


class TerminalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terminal

    branch = factory.SubFactory(BranchFactory)
    organization = factory.SelfAttribute("branch.organization")
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"POS {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN

    @factory.post_generation
    def branches(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.branches.set(extracted)


class MemberTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberType

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"MT{n}")
    name = factory.Sequence(lambda n: f"ประเภท {n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    organization = factory.SubFactory(OrganizationFactory)
    member_type = factory.SubFactory(MemberTypeFactory, organization=factory.SelfAttribute("..organization"))
    # "F…": never the code the "member" fixture or "M{seq:07d}" registration gives (a collision flaked)
    code = factory.Sequence(lambda n: f"F{n:07d}")
    phone = factory.Sequence(lambda n: f"+6681{n:07d}")
    first_name = "สมชาย"
    last_name = "ใจดี"
    joined_on = dt.date(2026, 1, 1)


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    member = factory.SubFactory(MemberFactory)
    organization = factory.SelfAttribute("member.organization")
    number = factory.Sequence(lambda n: f"C{n:09d}")
    issued_on = dt.date(2026, 1, 1)


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"field{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
