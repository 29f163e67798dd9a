"""PDPA: a member's own data as JSON and CSV, erasure that keeps the ledger's sums, retention of
closed members, and personal fields kept out of the audit trail and the logs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import PointAccount
from sasom.ledger.services import account_for, points_adjust, sale_post
from sasom.ledger.testing import assert_ledger_consistent
from sasom.members import privacy
from sasom.members.models import Consent, Member, MemberRetention
from sasom.members.services import (
    card_issue,
    consent_record,
    member_anonymize,
    member_code_change,
    member_register,
    member_set_status,
    member_update,
)
from sasom.organizations.models import Role

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
PERSONAL = {"phone": "+66891112233", "first_name": "มาลี", "last_name": "ศรีสุข", "email": "malee@example.co.th"}


@pytest.fixture
def malee(org, member_type, terminal):
    """Malee: a card, a marketing consent, a changed code, a 1,250 THB sale of two lines."""
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    m = member_register(organization=org, actor=SYSTEM, data={**PERSONAL, "code": "M-MALEE", "member_type": member_type})
    card_issue(member=m, number="CARD-7788", actor=SYSTEM)
    consent_record(member=m, purpose=Consent.Purpose.MARKETING, granted=True, channel=Consent.Channel.COUNTER,
                   actor=SYSTEM)
    m = member_code_change(member=m, new_code="M-0001", actor=SYSTEM)
    basket = engine.Basket(occurred_at=dt.datetime(2026, 3, 1, 10, tzinfo=BKK), lines=(
        engine.BasketLine(line_no=1, sku="FAN", quantity=Decimal(1), unit_price=Decimal("1000")),
        engine.BasketLine(line_no=2, sku="RICE", quantity=Decimal(1), unit_price=Decimal("250")),
    ))
    sale_post(organization=org, branch=terminal.branch, terminal=terminal, receipt_id="R-100", basket=basket,
              member=m, actor=SYSTEM)
    yield m
    ruleset_forget()


def test_export_holds_every_section(malee):
    # when Malee asks for her data
    data = privacy.member_data_export(malee)
    # then profile, card, consent, code history, balance, entries and the sale with lines are there
    assert data["profile"]["first_name"] == "มาลี" and data["profile"]["phone"] == "+66891112233"
    assert data["profile"]["code"] == "M-0001"
    assert [c["number"] for c in data["cards"]] == ["CARD-7788"]
    assert [(c["purpose"], c["granted"]) for c in data["consents"]] == [("marketing", True)]
    assert [(h["old_code"], h["new_code"]) for h in data["code_history"]] == [("M-MALEE", "M-0001")]
    assert data["points"]["spendable"] == 12
    assert [(e["kind"], e["amount"]) for e in data["entries"]] == [("earn", 12)]
    assert data["sales"][0]["receipt_id"] == "R-100"
    assert [line["sku"] for line in data["sales"][0]["lines"]] == ["FAN", "RICE"]
    assert data["redemptions"] == [] and data["coupons"] == []
    # and it is JSON as it stands
    assert json.loads(privacy.export_as_json(data))["profile"]["last_name"] == "ศรีสุข"


def test_csv_export_is_one_file_per_section_readable_in_excel(malee):
    blob = privacy.export_as_csv_zip(privacy.member_data_export(malee))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = set(zf.namelist())
        profile = list(csv.DictReader(io.StringIO(zf.read("profile.csv").decode("utf-8-sig"))))
        lines = list(csv.DictReader(io.StringIO(zf.read("sale_lines.csv").decode("utf-8-sig"))))
        assert zf.read("entries.csv").startswith("\ufeff".encode())
    assert {"profile.csv", "cards.csv", "consents.csv", "entries.csv", "sales.csv", "sale_lines.csv",
            "redemptions.csv", "coupons.csv", "points.csv", "code_history.csv"} <= names
    assert profile[0]["first_name"] == "มาลี"
    assert [(r["receipt_id"], r["sku"]) for r in lines] == [("R-100", "FAN"), ("R-100", "RICE")]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MARKETING, Role.AUDITOR])
def test_allowed_roles_download_and_the_audit_keeps_no_personal_value(staff_client, malee, role):
    client = staff_client(role)
    response = client.get(reverse("members:member_export", args=[malee.pk]) + "?format=json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="member-M-0001.json"'
    assert json.loads(response.content)["profile"]["email"] == "malee@example.co.th"
    event = AuditEvent.objects.filter(action="member.export").get()
    assert (event.object_repr, event.changes) == ("M-0001", {"format": [None, "json"]})
    recorded = json.dumps([event.object_repr, event.changes, event.reason], ensure_ascii=False)
    assert not any(value in recorded for value in PERSONAL.values())


def test_csv_download(staff_client, malee):
    response = staff_client(Role.ADMIN).get(reverse("members:member_export", args=[malee.pk]) + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "profile.csv" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SERVICE_COUNTER, Role.BRANCH_MANAGER])
def test_roles_without_export_are_refused(staff_client, malee, role):
    response = staff_client(role).get(reverse("members:member_export", args=[malee.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="member.export").exists()


def test_another_organizations_member_is_not_found(staff_client, malee, other_org):
    client = staff_client(Role.ADMIN, organization=other_org)
    assert client.get(reverse("members:member_export", args=[malee.pk])).status_code == 404


def test_export_detail_page_links_only_for_allowed_roles(staff_client, malee):
    url = reverse("members:detail", args=[malee.pk])
    export = reverse("members:member_export", args=[malee.pk])
    assert export in staff_client(Role.AUDITOR).get(url).content.decode()
    assert export not in staff_client(Role.CASHIER).get(url).content.decode()


def test_erasure_keeps_the_ledger_sums(malee, org):
    # given Malee with 12 earned points and 30 adjusted
    account = account_for(malee)
    points_adjust(account=account, points=30, reason="welcome", actor=SYSTEM)
    before = PointAccount.objects.values_list("spendable", "lifetime_earned").get(pk=account.pk)
    # when her personal data is erased
    member_anonymize(member=malee, actor=SYSTEM, reason="member asked")
    # then the export has no personal field left, and the points and their history stand
    data = privacy.member_data_export(malee)
    assert all(not data["profile"][f] for f in ("phone", "first_name", "last_name", "email"))
    assert data["cards"] == []
    assert PointAccount.objects.values_list("spendable", "lifetime_earned").get(pk=account.pk) == before
    assert [e["kind"] for e in data["entries"]] == ["earn", "adjust"]
    assert_ledger_consistent(PointAccount.objects.get(pk=account.pk))


def _close(member: Member, on: dt.datetime) -> None:
    member_set_status(member=member, status=Member.Status.CLOSED, actor=SYSTEM)
    AuditEvent.objects.filter(object_id=str(member.pk), action="member.status").update(at=on)


def test_retention_erases_closed_members_after_n_days_once(org, member_type):
    # given "anonymize closed members 30 days after closing"
    privacy.retention_save(organization_id=org.pk, days=30, actor=SYSTEM)
    make = lambda code, phone: member_register(  # noqa: E731
        organization=org, actor=SYSTEM, data={"code": code, "phone": phone, "first_name": "ชื่อ", "member_type": member_type})
    old, recent = make("C-OLD", "+66811111111"), make("C-NEW", "+66822222222")
    make("A-1", "+66833333333")
    # closed on 1 May 23:30 Bangkok (16:30 UTC) and on 2 May
    _close(old, dt.datetime(2026, 5, 1, 23, 30, tzinfo=BKK))
    _close(recent, dt.datetime(2026, 5, 2, 9, 0, tzinfo=BKK))
    # when the job runs on 31 May (30 days after 1 May), twice, then on 1 June
    first = privacy.members_retention_apply(org.pk, dt.date(2026, 5, 31))
    second = privacy.members_retention_apply(org.pk, dt.date(2026, 5, 31))
    june = privacy.members_retention_apply(org.pk, dt.date(2026, 6, 1))
    # then the member closed 30 days before is erased once, the other a day later, active ones never
    assert (first, second, june) == (1, 0, 1)
    statuses = dict(Member.objects.filter(organization=org).values_list("code", "status"))
    assert statuses == {"C-OLD": "anonymized", "C-NEW": "anonymized", "A-1": "active"}
    assert Member.objects.get(code="C-OLD").phone is None
    assert AuditEvent.objects.filter(action="member.anonymize", reason__startswith="retention").count() == 2


def test_retention_off_erases_nobody(org, member_type):
    m = member_register(organization=org, actor=SYSTEM, data={"phone": "+66811111111", "first_name": "A", "member_type": member_type})
    _close(m, dt.datetime(2020, 1, 1, tzinfo=BKK))
    assert privacy.members_retention_apply(org.pk, dt.date(2026, 1, 1)) == 0
    privacy.retention_save(organization_id=org.pk, days=None, actor=SYSTEM)
    assert privacy.members_retention_apply(org.pk, dt.date(2026, 1, 1)) == 0
    assert Member.objects.get(pk=m.pk).status == "closed"


def test_retention_setting_screen(staff_client, org):
    url = reverse("members:retention")
    assert staff_client(Role.MARKETING).get(url).status_code == 403
    admin = staff_client(Role.OWNER)
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"anonymize_closed_after_days": "-1"}).status_code == 400
    assert admin.post(url, {"anonymize_closed_after_days": "365"}).status_code == 302
    assert MemberRetention.objects.get(organization=org).anonymize_closed_after_days == 365
    assert AuditEvent.objects.filter(action="members.retention").count() == 1


def test_retention_refuses_negative_days(org):
    from sasom.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        privacy.retention_save(organization_id=org.pk, days=-5, actor=SYSTEM)
    assert err.value.code == privacy.E_RETENTION_DAYS


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + " " + repr(getattr(record, "args", "")))


def test_personal_fields_never_reach_the_logs(client, staff_client, org, member_type, terminal):
    # given every logger listening at DEBUG level
    capture = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    auth._cache.clear()
    key = api_key_create(organization_id=org.id, label="pos", actor=SYSTEM, terminal=terminal).key
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    try:
        # when a member is registered and changed at the counter, over the API, looked up, and erased
        admin = staff_client(Role.ADMIN)
        admin.post(reverse("members:create"), {"phone": "0891112233", "first_name": "มาลี", "last_name": "ศรีสุข",
                                               "email": "malee@example.co.th", "member_type": member_type.pk})
        m = Member.objects.get(phone="+66891112233")
        member_update(member=m, data={"email": "malee.s@example.co.th"}, actor=SYSTEM)
        client.post("/api/v1/members", data=json.dumps({"phone": "0894445566", "first_name": "สมปอง",
                                                        "email": "sompong@example.co.th"}),
                    content_type="application/json", **api)
        client.post("/api/v1/members", data=json.dumps({"phone": "0894445566", "first_name": "ซ้ำ"}),
                    content_type="application/json", **api)
        client.get("/api/v1/members/lookup", {"phone": "0894445566"}, **api)
        client.get("/api/v1/members/lookup", {"phone": "0800000000"}, **api)
        client.patch("/api/v1/members/" + m.code, data=json.dumps({"last_name": "ใจงาม"}),
                     content_type="application/json", **api)
        admin.get(reverse("members:list"), {"q": "มาลี"})
        admin.get(reverse("members:member_export", args=[m.pk]))
        member_anonymize(member=m, actor=SYSTEM, reason="asked")
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
    # then something was logged (the refusals), but no phone, name or e-mail
    logged = "\n".join(capture.lines)
    assert capture.lines, "expected the 404 and 409 answers to be logged"
    for value in ("891112233", "894445566", "800000000", "มาลี", "ศรีสุข", "สมปอง", "ใจงาม", "ซ้ำ", "malee", "sompong"):
        assert value not in logged, value
    # and nothing personal went to the audit trail either
    audit = json.dumps(list(AuditEvent.objects.values("object_repr", "changes", "reason")), ensure_ascii=False)
    for value in ("891112233", "894445566", "มาลี", "ศรีสุข", "สมปอง", "ใจงาม", "malee", "sompong"):
        assert value not in audit, value


def test_the_server_access_log_leaves_out_query_strings():
    from sasom.cli import ACCESS_LOG_FORMAT

    assert "%(U)s" in ACCESS_LOG_FORMAT
    assert not any(f"%({k})s" in ACCESS_LOG_FORMAT for k in ("r", "q", "f", "u"))


def test_the_retention_job_takes_the_date_it_runs_for(org, member_type):
    from sasom.core.jobs import job_run

    # given a member closed on 1 May and "anonymize 30 days after closing"
    privacy.retention_save(organization_id=org.pk, days=30, actor=SYSTEM)
    old = member_register(organization=org, actor=SYSTEM,
                          data={"code": "C-OLD", "phone": "+66811111111", "first_name": "ชื่อ", "member_type": member_type})
    _close(old, dt.datetime(2026, 5, 1, 10, 0, tzinfo=BKK))
    # when the job runs for 30 May, then for 31 May
    assert job_run("members_retention", on_date=dt.date(2026, 5, 30), organization_id=org.pk).counts == {
        "anonymized_members": 0}
    assert job_run("members_retention", on_date=dt.date(2026, 5, 31), organization_id=org.pk).counts == {
        "anonymized_members": 1}
    assert Member.objects.get(code="C-OLD").status == "anonymized"
