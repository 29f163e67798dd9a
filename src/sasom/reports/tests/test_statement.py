"""The member statement: opening balance, every movement with its why, closing balance, the
points that expire next; several members in one PDF, one page each."""

from __future__ import annotations

import datetime as dt

import pytest
import weasyprint

from sasom.ledger.services import account_for
from sasom.organizations.models import Role
from sasom.reports.statement import StatementSpec, statement_accounts, statements_build
from sasom.reports.tests.test_points_reports import ledger_sum, scope_of
from sasom.rewards.models import Redemption

pytestmark = pytest.mark.django_db


def test_a_statement_balances_and_explains_every_movement(shop, make_staff, django_assert_num_queries):
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner, code="M0000001")
    # when Somchai's November statement is built (accounts, openings, entries, rewards, lots)
    with django_assert_num_queries(5):
        [statement] = statements_build(scope, list(statement_accounts(scope)))
    # then it opens with October's 15 points and closes with the ledger's balance at the period's end
    assert statement.opening == 15 == ledger_sum(shop.org, end=dt.date(2026, 10, 31), account__member=shop.somchai)
    assert statement.closing == ledger_sum(shop.org, end=dt.date(2026, 11, 15), account__member=shop.somchai)
    assert statement.opening + statement.points_in - statement.points_out == statement.closing
    assert [m.entry.kind for m in statement.movements] == ["earn", "return", "redeem"]
    assert [m.balance for m in statement.movements] == [615, 315, 215]
    earn = statement.movements[0].text
    assert "R-003" in earn and "สาขาสุขุมวิท" in earn and "100 THB = 1 pt" in earn
    slip = Redemption.objects.get(member=shop.somchai).number
    assert slip in statement.movements[2].text and "ถุงผ้า × 1" in statement.movements[2].text
    # and the points that expire next are his open lots a year after earning
    # (the redemption drew October's 15 first, soonest expiry first, then 85 of November's 300)
    assert statement.expiring == [(dt.date(2027, 11, 2), 215)]


def test_statements_of_a_member_type_cost_the_same_queries_whatever_their_number(shop, make_staff,
                                                                                 django_assert_num_queries):
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    accounts = list(statement_accounts(scope))
    with django_assert_num_queries(4):
        statements = statements_build(scope, accounts)
    assert [s.member.code for s in statements] == ["M0000001", "M0000002"]


def test_the_statement_page_asks_for_a_member_or_a_type(shop, staff_client):
    client = staff_client(Role.OWNER)
    assert client.get("/reports/statement/").context["valid"] is False
    page = client.get("/reports/statement/?code=M0000002&date_from=2026-11-01&date_to=2026-11-15")
    assert page.status_code == 200
    [statement] = page.context["statements"]
    assert statement.member.code == "M0000002"
    assert "มาลี" in page.content.decode()


def test_one_pdf_with_one_page_per_member(shop, staff_client, monkeypatch):
    # given a second VIP member with points
    account_for(shop.somchai)
    shop.somchai.member_type = shop.vip
    shop.somchai.save(update_fields=["member_type"])
    pages = []
    render = weasyprint.HTML.render

    def counted(self, *args, **kwargs):
        document = render(self, *args, **kwargs)
        pages.append([page.width > page.height for page in document.pages])
        return document

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    # when the owner prints the statements of every VIP member
    client = staff_client(Role.OWNER)
    response = client.get(f"/reports/statement/?date_from=2026-10-01&date_to=2026-11-15&member_type={shop.vip.pk}&format=pdf")
    # then one PDF holds one portrait page per member
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert pages == [[False, False]]
    assert StatementSpec().uses_branch is False
