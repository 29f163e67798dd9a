"""``sasom demo --locale fa``: a Persian shop beside the Thai demo, in Persian, on Tehran's clock."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from sasom.demo import DEMO_CODE
from sasom.demo.persian import FA_CODE, FA_NAME
from sasom.ledger.models import Sale
from sasom.ledger.services import account_for
from sasom.ledger.testing import assert_ledger_consistent
from sasom.members.models import Member
from sasom.organizations.models import Organization, Staff

pytestmark = pytest.mark.django_db
PERSIAN = re.compile("[\u0600-\u06ff]{2,}")


def run(*args: str) -> str:
    out = StringIO()
    call_command("sasom_demo", *args, stdout=out)
    return out.getvalue()


def test_the_persian_demo_stands_beside_the_thai_one():
    # given the Thai demo
    run("--members", "5", "--seed", "3")
    # when the Persian demo is built
    output = run("--locale", "fa", "--members", "12", "--seed", "3")
    # then both organizations exist, the Persian one in Persian on Tehran's clock
    thai, persian = Organization.objects.get(code=DEMO_CODE), Organization.objects.get(code=FA_CODE)
    assert thai.language == "th"
    assert (persian.name, persian.language, persian.time_zone, persian.buddhist_era) == (
        FA_NAME, "fa", "Asia/Tehran", False)
    assert getattr(persian, "calendar", "jalali") == "jalali"
    members = list(Member.objects.filter(organization=persian))
    assert len(members) == 12 and all(m.language == "fa" and PERSIAN.search(m.first_name) for m in members)
    assert all(m.phone.startswith("+98") for m in members)
    assert sum(account_for(m).spendable for m in members if m.member_type.can_earn) > 0
    # with three weeks of sales in whole rial, their points at 200,000 rial a point, and the ledger whole
    sales = Sale.objects.filter(organization=persian)
    assert sales.count() == 21 * 8
    assert all(s.net == s.net.to_integral_value() for s in sales)
    earned = list(sales.filter(member__member_type__can_earn=True, status="posted"))
    assert earned and all(s.points_earned == int(s.net // 200000) for s in earned)
    for m in members:
        assert_ledger_consistent(account_for(m))
    assert "fa-owner" in output
    # and building it again changes nothing; --reset builds it afresh and leaves the Thai demo alone
    assert "already exists" in run("--locale", "fa", "--members", "12")
    run("--locale", "fa", "--members", "4", "--reset")
    assert Member.objects.filter(organization__code=FA_CODE).count() == 4
    assert Member.objects.filter(organization=thai).count() == 5


def test_the_persian_owner_sees_the_back_office_right_to_left():
    run("--locale", "fa", "--members", "3")
    owner = Staff.objects.get(organization__code=FA_CODE, user__username="fa-owner")
    client = Client()
    client.force_login(owner.user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "fa"
    page = client.get("/members/").content.decode()
    assert '<html lang="fa" dir="rtl">' in page and FA_NAME in page
