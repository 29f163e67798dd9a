"""Persian message texts: every event reaches a Persian member's SMS, e-mail and LINE in Persian;
the text chosen falls back member's language, organization's, English, Thai; the default texts
are Persian with the same placeholders; the checks name the Persian field."""

from __future__ import annotations

import datetime as dt
import re
from email.message import Message as EmailMessage

import pytest

from sasom.core.errors import DomainError
from sasom.members.models import CustomField
from sasom.members.services import member_register
from sasom.notifications.errors import E_TEMPLATE
from sasom.notifications.event_messages import event_message_save
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.events import EVENTS, events_offered
from sasom.notifications.message_language import language_order, text_choose
from sasom.notifications.models import EventMessage, LineLink, Message
from sasom.notifications.services import message_deliver
from sasom.notifications.templating import PLACEHOLDER, template_check
from sasom.testing.factories import MemberFactory

from .test_event_channels import CHANNELS, LINE_USER, SYSTEM, _happen, at, gateways  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF]")


def _persian_member(org, member_type):
    member = member_register(organization=org, actor=SYSTEM, today=dt.date(2026, 1, 1), data={
        "code": "M-FA", "member_type": member_type, "first_name": "سارا", "phone": "+66898765432",
        "email": "sara@example.com", "language": "fa", "marketing_consent": True, "birth_on": dt.date(1990, 7, 1),
        "joined_on": dt.date(2020, 7, 1), "expires_on": dt.date(2026, 7, 10), "custom": {"wedding": "2015-07-01"}})
    LineLink.objects.create(organization=org, member=member, line_user_id=LINE_USER, linked_at=at(2026, 1, 1))
    return member


def _email_text(email: EmailMessage) -> str:
    part = next(p for p in email.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


@pytest.mark.parametrize("event", [spec.key for spec in events_offered() if spec.key != "registration"])
def test_each_event_reaches_a_persian_member_in_persian_on_every_channel(event, gateways, org, branch, terminal,  # noqa: F811
                                                                         member_type):
    fake_http, fake_smtp = gateways
    CustomField.objects.create(organization=org, key="wedding", label="Wedding", kind=CustomField.Kind.DATE)
    member = _persian_member(org, member_type)
    for channel in CHANNELS:
        event_message_save(organization_id=org.pk, event=event, channel=channel, is_active=True, actor=SYSTEM,
                           body_th="ไทย {name}", body_en="EN {name}", body_fa="سلام {name}، {shop}",
                           subject_en="News", subject_fa="خبر", days_before=14,
                           date_field="wedding" if event == "custom_date" else "")
    _happen(event, org, branch, terminal, member)
    for message in Message.objects.filter(purpose=event):
        message_deliver(message_id=message.pk, now=at(2026, 7, 3))
    expected = f"سلام سارا، {org.name}"
    assert [s.json()["text"] for s in fake_http.seen if s.path == "/sms"] == [expected]
    assert [s.json()["messages"][0]["text"] for s in fake_http.seen if s.path == "/v2/bot/message/push"] == [expected]
    [(_sender, recipients, email)] = fake_smtp.received
    assert recipients == ["sara@example.com"]
    assert _email_text(email).strip() == expected
    assert Message.objects.get(purpose=event, channel="email").subject == "خبر"


def test_registration_with_the_default_persian_text(gateways, org, member_type):  # noqa: F811
    fake_http, _smtp = gateways
    spec = EVENTS["registration"]
    event_message_save(organization_id=org.pk, event="registration", channel="sms", is_active=True, actor=SYSTEM,
                       body_th=spec.body_th, body_en=spec.body_en, body_fa=spec.body_fa)
    member = member_register(organization=org, actor=SYSTEM, data={
        "code": "M-NEW", "member_type": member_type, "first_name": "رضا", "phone": "+66898765400", "language": "fa"})
    [message] = Message.objects.filter(member=member, purpose="registration")
    message_deliver(message_id=message.pk, now=at(2026, 7, 3))
    [seen] = [s for s in fake_http.seen if s.path == "/sms"]
    assert seen.json()["text"].startswith(f"{org.name}: رضا عزیز، خوش آمدید! شماره عضویت شما M-NEW است.")


@pytest.mark.parametrize("event", list(EVENTS))
def test_every_event_has_a_persian_default_with_the_same_placeholders(event):
    spec = EVENTS[event]
    assert PERSIAN_LETTER.search(spec.body_fa), event
    assert set(PLACEHOLDER.findall(spec.body_fa)) == set(PLACEHOLDER.findall(spec.body_en)), event
    template_check(spec.body_fa, spec.placeholders, field="body_fa")
    if "{points}" in spec.body_en:
        assert "امتیاز" in spec.body_fa and "points" not in PLACEHOLDER.sub("", spec.body_fa)


@pytest.mark.parametrize(("member_lang", "org_lang", "written", "chosen"), [
    ("fa", "th", ("th", "en", "fa"), "fa"),  # the member's own
    ("fa", "th", ("th", "en"), "th"),  # else the organization's
    ("fa", "fa", ("th", "en"), "en"),  # else English
    ("fa", "fa", ("th",), "th"),  # else Thai
    ("", "fa", ("th", "en", "fa"), "fa"),  # a member who chose none reads the organization's
    ("en", "fa", ("th", "fa"), "fa"),
    ("th", "en", ("en", "fa"), "en"),
    ("en-us", "th", ("en", "th"), "en"),  # a regional code reads as its language
])
def test_the_text_chosen_falls_back_members_organizations_english_thai(org, member_type, member_lang, org_lang,
                                                                        written, chosen):
    org.language = org_lang
    member = MemberFactory(organization=org, member_type=member_type, language=member_lang)
    texts = {"th": "ไทย", "en": "English", "fa": "فارسی"}
    language, text = text_choose(org, member, {code: (texts[code] if code in written else " ") for code in texts})
    assert (language, text) == (chosen, texts[chosen])


def test_nothing_written_chooses_nothing_and_the_order_has_no_repeats(org, member_type):
    org.language = "en"
    member = MemberFactory(organization=org, member_type=member_type, language="en")
    assert text_choose(org, member, {"th": "", "en": "  ", "fa": ""}) == ("", "")
    assert language_order(org, member) == ["en", "th"]
    assert language_order(org, None) == ["en", "th"]


def test_a_persian_only_text_may_be_switched_on_and_a_bad_placeholder_names_the_persian_field(org):
    row = event_message_save(organization_id=org.pk, event="purchase", channel="sms", is_active=True, actor=SYSTEM,
                             body_th="", body_en="", body_fa="{shop}: {points} امتیاز", subject_fa="")
    assert EventMessage.objects.get(pk=row.pk).body_fa == "{shop}: {points} امتیاز"
    with pytest.raises(DomainError) as bad:
        event_message_save(organization_id=org.pk, event="purchase", channel="sms", is_active=True, actor=SYSTEM,
                           body_th="", body_en="", body_fa="{shop}: {coupon} امتیاز")
    assert (bad.value.code, bad.value.field) == (E_TEMPLATE, "body_fa")
    with pytest.raises(DomainError) as empty:
        event_message_save(organization_id=org.pk, event="purchase", channel="sms", is_active=True, actor=SYSTEM,
                           body_th=" ", body_en="", body_fa="")
    assert (empty.value.code, empty.value.field) == (E_TEMPLATE, "body_th")
    assert EventMessage.objects.get(pk=row.pk).body_fa == "{shop}: {points} امتیاز"  # unchanged by the refusals


def test_values_are_written_for_the_language_of_the_text_chosen(org, member_type, settings):
    # a Jalali shop writing Persian digits: the Persian text gets ۱۴۰۵/۰۴/۱۹, the Thai text 1405/04/19
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    org.calendar, org.time_zone, org.persian_digits = "jalali", "Asia/Tehran", True
    org.save(update_fields=["calendar", "time_zone", "persian_digits"])
    people = {}
    for code, language in (("FA1", "fa"), ("TH1", "th")):
        people[language] = MemberFactory(organization=org, member_type=member_type, code=code, language=language,
                                         phone=f"+6681000{len(people):04d}", expires_on=dt.date(2026, 7, 10))
    event_message_save(organization_id=org.pk, event="membership_expiring", channel="sms", is_active=True,
                       actor=SYSTEM, body_th="หมดอายุ {expiry_date}", body_en="ends {expiry_date}",
                       body_fa="پایان {expiry_date}", days_before=14)
    event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 6, 26), now=at(2026, 6, 26))
    bodies = dict(Message.objects.filter(purpose="membership_expiring").values_list("member_id", "body"))
    assert bodies == {people["fa"].pk: "پایان ۱۴۰۵/۰۴/۱۹", people["th"].pk: "หมดอายุ 1405/04/19"}
