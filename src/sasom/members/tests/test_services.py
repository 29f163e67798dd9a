from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.members import services
from sasom.members.models import Card, Consent, Member, MemberCodeChange
from sasom.members.selectors import member_lookup
from sasom.members.validation import (
    CARD_TAKEN,
    CODE_TAKEN,
    PHONE_INVALID,
    PHONE_TAKEN,
    add_months,
    normalize_phone,
)
from sasom.organizations.models import Sequence
from sasom.testing.factories import BranchFactory, CardFactory, MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def register(org, actor, **data):
    data.setdefault("first_name", "สมหญิง")
    data.setdefault("last_name", "รักดี")
    if "phone" in data:
        data["phone"] = normalize_phone(data["phone"], "TH")
    card = data.pop("card_number", "")
    return services.member_register(organization=org, actor=actor, data=data, card_number=card, today=TODAY)


def test_phone_in_thai_local_format_is_stored_as_e164():
    assert normalize_phone("081-234-5678", "TH") == "+66812345678"
    assert normalize_phone("+66 81 234 5678", "TH") == "+66812345678"
    with pytest.raises(DomainError) as exc:
        normalize_phone("12345", "TH")
    assert exc.value.code == PHONE_INVALID and exc.value.field == "phone"


def test_register_gives_a_code_from_the_pattern_and_an_expiry_from_the_type(org, gen_type, actor, branch):
    # given a pattern with year, branch and a running number
    org.member_code_pattern = "{branch}{yy}-{seq:05d}"
    org.save()
    # when two members register at branch B1
    first = register(org, actor, phone="0812345678", home_branch=branch)
    second = register(org, actor, phone="0812345679", home_branch=branch)
    # then the codes run on and the card lasts 12 months from joining
    assert (first.code, second.code) == ("B126-00001", "B126-00002")
    assert first.joined_on == TODAY and first.expires_on == dt.date(2027, 6, 15)
    assert Sequence.objects.get(organization=org, name="member_code").value == 2


def test_generated_code_skips_a_code_typed_by_staff(org, gen_type, actor):
    register(org, actor, phone="0812345670", code="M0000001")
    member = register(org, actor, phone="0812345671")
    assert member.code == "M0000002"


def test_same_phone_in_another_format_is_refused_and_nothing_changes(org, gen_type, actor):
    # given a member registered with a local number
    register(org, actor, phone="081-234-5678")
    # when someone registers the same number in international format
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="+66812345678")
    # then the phone field is named and only one member exists
    assert exc.value.code == PHONE_TAKEN and exc.value.field == "phone"
    assert Member.objects.filter(organization=org).count() == 1


def test_same_phone_is_allowed_in_another_organization(org, other_org, gen_type, actor):
    register(org, actor, phone="0812345678")
    from sasom.testing.factories import MemberTypeFactory

    MemberTypeFactory(organization=other_org, is_default=True)
    other = register(other_org, actor, phone="0812345678")
    assert other.phone == "+66812345678"


def test_duplicate_code_and_card_name_their_fields(org, gen_type, actor):
    register(org, actor, phone="0812345678", code="A1", card_number="C-1")
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="0812345679", code="A1")
    assert exc.value.code == CODE_TAKEN and exc.value.field == "code"
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="0812345679", card_number="C-1")
    assert exc.value.code == CARD_TAKEN and exc.value.field == "card_number"
    assert Member.objects.filter(organization=org).count() == 1


def test_impossible_dates_are_refused(org, gen_type, actor):
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="0812345678", birth_on=TODAY + dt.timedelta(days=3))
    assert exc.value.field == "birth_on"
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="0812345678", joined_on=dt.date(2026, 1, 1), expires_on=dt.date(2025, 1, 1))
    assert exc.value.field == "expires_on"


def test_code_change_keeps_history_and_the_old_code_still_finds_the_member(org, member, actor):
    # when the member's code changes twice
    services.member_code_change(member=member, new_code="VIP-7", actor=actor, reason="ย้ายเป็นรหัส VIP")
    services.member_code_change(member=member, new_code="VIP-8", actor=actor)
    # then both old codes find the member and the history has two rows
    assert member_lookup(org.pk, code="M0000001").pk == member.pk
    assert member_lookup(org.pk, code="VIP-7").pk == member.pk
    assert list(MemberCodeChange.objects.filter(member=member).order_by("id").values_list("old_code", "new_code")) == [
        ("M0000001", "VIP-7"), ("VIP-7", "VIP-8")]
    # and nobody else may take a former code
    other = MemberFactory(organization=org, member_type=member.member_type, code="M0000777")
    with pytest.raises(DomainError) as exc:
        services.member_code_change(member=other, new_code="M0000001", actor=actor)
    assert exc.value.code == CODE_TAKEN


def test_lost_card_is_replaced_on_the_same_member(org, member, actor):
    # given a member with a card
    old = CardFactory(member=member, number="1111")
    # when the member reports it lost
    new = services.card_replace(card=old, new_number="2222", actor=actor, lost=True, today=TODAY)
    # then the old card is lost, the new one is active on the same member and replaces the old
    old.refresh_from_db()
    assert old.status == Card.Status.LOST and old.closed_on == TODAY
    assert new.member_id == member.pk and new.status == Card.Status.ACTIVE and new.replaces_id == old.pk
    assert member_lookup(org.pk, card="2222").pk == member.pk
    assert member_lookup(org.pk, card="1111") is None
    with pytest.raises(DomainError):
        services.card_replace(card=old, new_number="3333", actor=actor)


def test_consent_given_then_withdrawn_is_recorded_with_channel(org, gen_type, actor):
    member = register(org, actor, phone="0812345678", marketing_consent=True)
    services.consent_record(member=member, purpose=Consent.Purpose.MARKETING, granted=False, channel=Consent.Channel.WEB, actor=actor)
    member.refresh_from_db()
    assert member.marketing_consent is False
    rows = list(Consent.objects.filter(member=member).order_by("at", "id").values_list("granted", "channel", "recorded_by"))
    assert rows == [(True, "counter", "counter-nok"), (False, "web", "counter-nok")]


def test_update_records_consent_change_and_audits_without_personal_values(org, member, actor):
    services.member_update(member=member, actor=actor, data={"first_name": "สมศรี", "marketing_consent": True})
    event = AuditEvent.objects.filter(action="member.update").get()
    assert event.changes["first_name"] == ["(changed)", "(changed)"]
    assert "สมศรี" not in str(event.changes) and event.object_repr == member.code
    assert member.consents.get().granted is True


def test_anonymize_keeps_code_and_ids_and_erases_personal_data(org, member, actor):
    # given a member with personal data, a card, and another member they referred
    member.email, member.line_id, member.birth_on, member.province = "a@b.th", "somchai", dt.date(1990, 1, 2), "ชลบุรี"
    member.save()
    CardFactory(member=member, number="9999")
    friend = MemberFactory(organization=org, member_type=member.member_type, referred_by=member)
    pk, code = member.pk, member.code
    # when the member asks to be forgotten
    services.member_anonymize(member=member, actor=actor, reason="PDPA request 12/2569")
    # then personal data is gone, the row, the code and links stay
    m = Member.objects.get(pk=pk)
    assert m.code == code and m.status == Member.Status.ANONYMIZED and m.anonymized_at
    assert (m.phone, m.first_name, m.last_name, m.email, m.line_id, m.birth_on, m.province) == (None, "", "", "", "", None, "")
    assert not Card.objects.filter(member_id=pk).exists()
    friend.refresh_from_db()
    assert friend.referred_by_id == pk
    event = AuditEvent.objects.get(action="member.anonymize")
    assert "somchai" not in str(event.changes) and "+6681" not in str(event.changes)
    # and it cannot be edited any more
    with pytest.raises(DomainError):
        services.member_update(member=m, actor=actor, data={"first_name": "x"})


def test_change_type_can_restart_the_card_period(org, member, vip_type, actor):
    services.member_change_type(member=member, member_type=vip_type, actor=actor, recompute_expiry=True, today=TODAY)
    member.refresh_from_db()
    assert member.member_type == vip_type and member.expires_on == dt.date(2028, 6, 15)
    assert AuditEvent.objects.filter(action="member.change_type", object_id=str(member.pk)).exists()


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_member_type_save_keeps_one_default_and_audits(org, member_type, actor):
    mt = services.member_type_save(organization=org, actor=actor, data={"code": "VIP", "name": "วีไอพี", "is_default": True})
    member_type.refresh_from_db()
    assert mt.is_default and not member_type.is_default
    with pytest.raises(DomainError):
        services.member_type_save(organization=org, actor=actor, data={"code": "VIP", "name": "dup"})
    assert AuditEvent.objects.filter(action="member_type.create").count() == 1


def test_member_type_in_use_cannot_be_deleted(member, actor):
    with pytest.raises(DomainError):
        services.member_type_delete(member_type=member.member_type, actor=actor)


def test_register_refuses_a_branch_of_another_organization(org, other_org, gen_type, actor):
    foreign = BranchFactory(organization=other_org)
    with pytest.raises(DomainError) as exc:
        register(org, actor, phone="0812345678", home_branch=foreign)
    assert exc.value.field == "home_branch"
