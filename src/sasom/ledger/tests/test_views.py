from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from sasom.ledger.models import Entry, PointAccount, Sale
from sasom.ledger.services import account_for
from sasom.ledger.tests.conftest import at
from sasom.organizations.models import Role
from sasom.testing.factories import BranchFactory, TerminalFactory

ALL_ROLES = list(Role)
EARNERS = {Role.OWNER, Role.ADMIN, Role.BRANCH_MANAGER, Role.CASHIER, Role.SERVICE_COUNTER}
VOIDERS = {Role.OWNER, Role.ADMIN, Role.BRANCH_MANAGER, Role.SERVICE_COUNTER}
ADJUSTERS = {Role.OWNER, Role.ADMIN}


@pytest.fixture
def a_sale(sell, member):
    return sell(member, "1000.00", when=at(2026, 3, 1, 10)).sale


@pytest.mark.parametrize("role", ALL_ROLES)
def test_counter_is_for_roles_that_may_earn(staff_client, role):
    response = staff_client(role).get(reverse("checkout:counter"))
    assert response.status_code == (200 if role in EARNERS else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_adjust_is_for_owners_and_admins(staff_client, member, role):
    response = staff_client(role).get(reverse("ledger:adjust", args=[member.pk]))
    assert response.status_code == (200 if role in ADJUSTERS else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_void_is_for_roles_that_may_void(staff_client, a_sale, role):
    response = staff_client(role).post(reverse("checkout:sale_void", args=[a_sale.pk]), {"reason": "wrong member"})
    voided = Sale.objects.get(pk=a_sale.pk).status == "voided"
    if role in VOIDERS:
        assert response.status_code == 302 and voided
    else:
        assert response.status_code == 403 and not voided


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_sees_points_and_the_daily_list(staff_client, member, a_sale, role):
    client = staff_client(role)
    assert client.get(reverse("ledger:member_points", args=[member.pk])).status_code == 200
    assert client.get(reverse("ledger:daily"), {"date": "2026-03-01"}).status_code == 200
    assert client.get(reverse("ledger:sale", args=[a_sale.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("checkout:counter"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_cashier_rings_up_a_member_sale_by_lines(staff_client, member, terminal):
    # given a cashier at branch B1 and a member found by phone
    client = staff_client(Role.CASHIER)
    # when she posts two lines
    response = client.post(reverse("checkout:counter"), {
        "q": "0812345678", "terminal": terminal.pk, "receipt_id": "B1-100",
        "lines": "RICE5KG, 1, 250\nEGG30, 2, 100, 10",
    })
    # then the awards, the points and the new balance are shown
    assert response.status_code == 200
    body = response.content.decode()
    assert "B1-100" in body and "100 THB = 1 pt" in body
    assert PointAccount.objects.get(member=member).spendable == 4  # 440 THB
    # when the form is submitted twice (double click): nothing more is posted
    client.post(reverse("checkout:counter"), {
        "q": "0812345678", "terminal": terminal.pk, "receipt_id": "B1-100",
        "lines": "RICE5KG, 1, 250\nEGG30, 2, 100, 10",
    })
    assert Sale.objects.count() == 1


def test_points_paid_at_the_counter_are_worth_what_the_rule_says_not_what_is_typed(staff_client, member, terminal,
                                                                                    org, actor):
    from sasom.ledger.services.points import account_for, points_adjust  # noqa: PLC0415
    from sasom.rewards.models import PointsDiscountRule  # noqa: PLC0415

    # given a member with 100 points, 10 points = 1 THB
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    points_adjust(account=account_for(member), points=100, reason="opening", actor=actor)
    client = staff_client(Role.CASHIER)
    # when the cashier keys 20 points and, as the old form let her, says they are worth 900 THB
    client.post(reverse("checkout:counter"), {
        "q": "0812345678", "terminal": terminal.pk, "receipt_id": "B1-200", "total": "1000",
        "points_used": "20", "points_discount": "900",
    })
    # then 20 points paid 2.00, as the rule says
    sale = Sale.objects.get(receipt_id="B1-200")
    assert (sale.points_used, sale.points_discount) == (20, Decimal("2.00"))
    # and a walk-in cannot pay with points
    page = client.post(reverse("checkout:counter"), {"terminal": terminal.pk, "receipt_id": "B1-201", "total": "50",
                                                      "points_used": "5"})
    assert page.status_code == 200 and not Sale.objects.filter(receipt_id="B1-201").exists()


def test_counter_shows_form_errors_not_500(staff_client, terminal):
    client = staff_client(Role.CASHIER)
    response = client.post(reverse("checkout:counter"), {"terminal": terminal.pk, "receipt_id": "X", "lines": "oops"})
    assert response.status_code == 200
    assert "SKU, quantity, unit price" in response.content.decode() or "ราคา" in response.content.decode()
    response = client.post(reverse("checkout:counter"), {"terminal": terminal.pk, "receipt_id": "X"})
    assert response.status_code == 200 and not Sale.objects.exists()


def test_cashier_cannot_post_at_another_branch(staff_client, org):
    far = BranchFactory(organization=org, code="B9")
    till = TerminalFactory(organization=org, branch=far, code="B9-T1")
    client = staff_client(Role.CASHIER)
    response = client.post(reverse("checkout:counter"), {"terminal": till.pk, "receipt_id": "Z1", "total": "100"})
    # the terminal is not even offered: a form error, nothing posted
    assert response.status_code == 200 and not Sale.objects.exists()


def test_branch_manager_cannot_void_a_sale_of_another_branch(staff_client, org, member, actor):
    from sasom.ledger.services import sale_post
    from sasom.ledger.tests.conftest import basket

    far = BranchFactory(organization=org, code="B9")
    till = TerminalFactory(organization=org, branch=far, code="B9-T1")
    sale = sale_post(organization=org, branch=far, terminal=till, receipt_id="F1",
                     basket=basket("500", when=at(2026, 3, 1)), member=member, actor=actor).sale
    client = staff_client(Role.BRANCH_MANAGER)
    assert client.post(reverse("checkout:sale_void", args=[sale.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("ledger:daily"), {"date": "2026-03-01", "branch": far.pk}).status_code == 403


def test_return_and_void_from_the_sale_page(staff_client, sell, member):
    from sasom.ledger.tests.conftest import line

    sale = sell(member, lines=[line(1, "FAN16", 1, "1800.00"), line(2, "RICE5KG", 2, "200.00")]).sale
    client = staff_client(Role.SERVICE_COUNTER)
    response = client.post(reverse("checkout:sale_return", args=[sale.pk]), {"return_id": "RT1", "qty_2": "1"})
    assert response.status_code == 302
    assert PointAccount.objects.get(member=member).spendable == 30
    client.post(reverse("checkout:sale_void", args=[sale.pk]), {"reason": ""})
    assert Sale.objects.get(pk=sale.pk).status == "partly_returned"
    client.post(reverse("checkout:sale_void", args=[sale.pk]), {"reason": "customer changed mind"})
    assert PointAccount.objects.get(member=member).spendable == 0


def test_admin_adjusts_with_a_reason(staff_client, member):
    client = staff_client(Role.ADMIN)
    url = reverse("ledger:adjust", args=[member.pk])
    response = client.post(url, {"points": "25", "reason": ""})
    assert response.status_code == 200 and not Entry.objects.exists()
    response = client.post(url, {"points": "25", "reason": "goodwill after a late delivery"})
    assert response.status_code == 302
    assert account_for(member).spendable == 25


def test_member_points_panel_shows_history_with_explanations(staff_client, sell, member, django_assert_max_num_queries):
    for day in range(1, 26):
        sell(member, "2500.00", when=at(2026, 3, day))
    client = staff_client(Role.CASHIER)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ledger:member_points", args=[member.pk]))
    body = response.content.decode()
    assert "875" in body  # 25 × 35
    assert "Big bill bonus" in body and "2,500.00" in body


def test_daily_list_and_csv(staff_client, sell, member, django_assert_max_num_queries):
    for n in range(30):
        sell(member if n % 2 else None, "100.00", when=at(2026, 3, 1, 9, n))
    sell(member, "100.00", when=at(2026, 3, 2, 0, 5))  # next day in Bangkok
    client = staff_client(Role.ADMIN)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("ledger:daily"), {"date": "2026-03-01"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 30
    csv = client.get(reverse("ledger:daily"), {"date": "2026-03-01", "format": "csv"})
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 31 and lines[0].startswith("occurred_at,branch")
    assert Decimal(lines[1].split(",")[8]) == Decimal("100.00")
    assert {ln.split(",")[0][:16] for ln in lines[1:]} >= {"2026-03-01T09:00", "2026-03-01T09:29"}
    assert all(ln.split(",")[0].endswith("+07:00") for ln in lines[1:])  # the shop's zone, with its offset
    assert lines[0].split(",")[-2:] == ["donation", "status"]


def test_member_file_panel_loads_itself_with_htmx(member):
    from django.template.loader import render_to_string

    html = render_to_string("ledger/_member_points.html", {"member": member})
    assert f'hx-get="{reverse("ledger:member_points", args=[member.pk])}"' in html


def test_counter_finds_a_member_by_code(staff_client, sell, member):
    sell(member, "700.00")
    response = staff_client(Role.CASHIER).get(reverse("checkout:counter"), {"q": member.code})
    assert response.context["member"] == member
    assert response.context["balance"].spendable == 7


@pytest.mark.parametrize("role", ALL_ROLES)
def test_points_settings_are_for_owner_and_admin(staff_client, role):
    response = staff_client(role).get(reverse("ledger:settings"))
    assert response.status_code == (200 if role in (Role.OWNER, Role.ADMIN) else 403)


def test_owner_sets_expiry_and_new_points_follow_it(staff_client, sell, member):
    from sasom.core.models import AuditEvent
    from sasom.ledger.models import Lot

    client = staff_client(Role.OWNER)
    response = client.post(reverse("ledger:settings"), {
        "expiry_policy": "end_of_year", "expiry_n": "12", "pending_days": "0", "return_shortfall": "cap",
    })
    assert response.status_code == 302
    sell(member, "500.00", when=at(2026, 6, 15))
    assert str(Lot.objects.get().expires_on) == "2027-12-31"
    assert AuditEvent.objects.get(action="points.settings").changes["expiry_policy"] == ["never", "end_of_year"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_returns_are_for_roles_that_may_void(staff_client, a_sale, role):
    response = staff_client(role).post(reverse("checkout:sale_return", args=[a_sale.pk]), {"return_id": "R1", "qty_1": "1"})
    returned = Sale.objects.get(pk=a_sale.pk).status == "returned"
    if role in VOIDERS:
        assert response.status_code == 302 and returned
    else:
        assert response.status_code == 403 and not returned


def test_daily_list_offers_void_with_a_reason_to_those_who_may(staff_client, a_sale):
    body = staff_client(Role.BRANCH_MANAGER).get(reverse("ledger:daily"), {"date": "2026-03-01"}).content.decode()
    assert reverse("checkout:sale_void", args=[a_sale.pk]) in body
    body = staff_client(Role.CASHIER).get(reverse("ledger:daily"), {"date": "2026-03-01"}).content.decode()
    assert reverse("checkout:sale_void", args=[a_sale.pk]) not in body
