"""Saved reports e-mailed on a schedule (the daily job ``report_schedules_send``): the right
recipients, the file attached, once per period even when the job runs twice, catch-up of a missed
day, and a relative period counted from the day it runs for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.jobs import job_run
from sasom.organizations.models import Role
from sasom.reports.builder import definition_clean
from sasom.reports.builder_models import ReportScheduleRun
from sasom.reports.builder_schedule import report_schedules_send
from sasom.reports.builder_services import report_schedule_set, saved_report_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(shop, make_staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = make_staff(Role.OWNER)
    definition = definition_clean({"dimensions": ["branch"], "measures": ["bills", "amount"], "period": "last_month"},
                                  organization_id=shop.org.pk, branch_ids=None, member_type_ids=set(), tier_ids=set(),
                                  custom_keys=set())
    report = saved_report_save(staff=owner, name="ยอดขายรายสาขา", shared=True, definition=definition,
                               actor=Actor.system())
    schedule = report_schedule_set(staff=owner, report=report, frequency="monthly", fmt="csv",
                                   recipients="boss@shop.example, Acc@Shop.example", active=True, actor=Actor.system())
    return schedule


def test_a_monthly_report_is_mailed_once_with_its_file(scheduled, shop):
    # when the job runs for 1 December, twice
    assert report_schedules_send(organization_id=shop.org.pk, on_date=dt.date(2026, 12, 1)) == {
        "sent_reports": 1, "already_sent_reports": 0}
    assert report_schedules_send(organization_id=shop.org.pk, on_date=dt.date(2026, 12, 1)) == {
        "sent_reports": 0, "already_sent_reports": 1}
    # then one mail went to the two addresses, with November's figures attached
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@shop.example", "acc@shop.example"]
    name, content, mimetype = message.attachments[0]
    assert name == "builder-20261101-20261130.csv" and mimetype == "text/csv"
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    assert "B1,1,30000.00" in text and "B2,1,40000.00" in text
    assert "ยอดขายรายสาขา" in message.subject
    # not on another day of the month
    assert report_schedules_send(organization_id=shop.org.pk, on_date=dt.date(2026, 12, 2))["sent_reports"] == 0
    assert ReportScheduleRun.objects.filter(schedule=scheduled).count() == 1


def test_the_scheduler_runs_it_and_catches_up_a_missed_day(scheduled, shop):
    scheduled.frequency = "daily"
    scheduled.save()
    for day in (dt.date(2026, 11, 13), dt.date(2026, 11, 14)):  # catch-up: the missed days, oldest first
        job_run("report_schedules_send", on_date=day, organization_id=shop.org.pk)
    job_run("report_schedules_send", on_date=dt.date(2026, 11, 14), organization_id=shop.org.pk, force=True)
    assert len(mail.outbox) == 2
    assert sorted(ReportScheduleRun.objects.values_list("run_on", flat=True)) == [
        dt.date(2026, 11, 13), dt.date(2026, 11, 14)]


def test_recipients_must_be_addresses(scheduled):
    with pytest.raises(DomainError) as refused:
        report_schedule_set(staff=scheduled.report.owner, report=scheduled.report, frequency="weekly", fmt="xlsx",
                            recipients="boss@shop.example, not-an-address", active=True, actor=Actor.system())
    assert (refused.value.code, refused.value.field) == ("builder.bad_recipients", "recipients")


def test_only_the_owner_schedules(scheduled, make_staff):
    with pytest.raises(DomainError) as refused:
        report_schedule_set(staff=make_staff(Role.ADMIN), report=scheduled.report, frequency="weekly", fmt="xlsx",
                            recipients="a@shop.example", active=True, actor=Actor.system())
    assert refused.value.code == "builder.not_owner"


def test_the_schedule_page_saves_with_a_form_token(scheduled, shop, client):
    client.force_login(scheduled.report.owner.user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/reports/builder/saved/{scheduled.report.pk}/schedule/")
    assert page.status_code == 200 and b'name="_form_token"' in page.content
    token = page.content.decode().split('name="_form_token" value="')[1].split('"')[0]
    bad = client.post(f"/reports/builder/saved/{scheduled.report.pk}/schedule/",
                      {"frequency": "weekly", "format": "pdf", "recipients": "nobody", "active": "on"})
    assert bad.status_code == 400 and "recipients" in bad.context["form"].errors
    done = client.post(f"/reports/builder/saved/{scheduled.report.pk}/schedule/",
                       {"frequency": "weekly", "format": "pdf", "recipients": "x@shop.example", "active": "on",
                        "_form_token": token})
    scheduled.refresh_from_db()
    assert done.status_code == 302 and (scheduled.frequency, scheduled.format) == ("weekly", "pdf")


def test_the_report_goes_through_the_shops_own_smtp_server(scheduled, shop):
    from sasom.notifications.channels import channel_config_save
    from sasom.notifications.tests.fakes import FakeSmtp

    # given the shop has its own e-mail channel (a fake SMTP server on loopback)
    fake = FakeSmtp().start()
    try:
        channel_config_save(organization_id=shop.org.pk, channel="email", gateway="smtp", actor=Actor.system(),
                            options={"host": "127.0.0.1", "port": fake.port, "security": "none",
                                     "from_email": "reports@shop.example", "from_name": "Shop"}, secrets={})
        # when the monthly report is due
        report_schedules_send(organization_id=shop.org.pk, on_date=dt.date(2026, 12, 1))
    finally:
        fake.stop()
    # then it left through the shop's server, from the shop's address, with its file; not the deployment's backend
    assert len(mail.outbox) == 0 and len(fake.received) == 1
    sender, recipients, message = fake.received[0]
    assert sender == "reports@shop.example" and recipients == ["boss@shop.example", "acc@shop.example"]
    assert [part.get_filename() for part in message.walk() if part.get_filename()] == ["builder-20261101-20261130.csv"]
