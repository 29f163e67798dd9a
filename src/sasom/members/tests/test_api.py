"""Members over the API, and idempotent writes (replay, mismatch, concurrency)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.models import IdempotencyRecord
from sasom.integrations.services import api_key_create
from sasom.members.models import Member


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def pos(org, terminal, member_type):
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    client.issued = issued
    return client


def post(client, path, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, data=json.dumps(body), content_type="application/json", **headers)


def test_register_then_lookup_by_any_phone_format(pos, branch):
    # given a POS registers a member with a local phone format
    created = post(pos, "/api/v1/members", {"phone": "081-234-5678", "first_name": "สมหญิง", "card_number": "C-0001"})
    assert created.status_code == 201, created.content
    body = created.json()
    # then the phone is stored in E.164 and the member's home branch is the key's branch
    assert body["phone"] == "+66812345678"
    assert body["cards"] == ["C-0001"]
    assert Member.objects.get(code=body["code"]).home_branch_id == branch.id
    # and lookups by phone, card and code find them
    for query in ("phone=%2B66812345678", "phone=0812345678", "card=C-0001", f"code={body['code']}"):
        found = pos.get(f"/api/v1/members/lookup?{query}")
        assert found.status_code == 200, query
        assert found.json()["code"] == body["code"]


def test_lookup_errors_have_codes(pos):
    assert pos.get("/api/v1/members/lookup").json()["code"] == "lookup_needs_a_key"
    missing = pos.get("/api/v1/members/lookup?phone=0899999999")
    assert missing.status_code == 404
    assert missing.json() == {"code": "member_not_found", "message": "No member matches.", "field": "phone"}


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"phone": "12"}, 400, "member.phone_invalid", "phone"),
        ({"phone": "0812345678", "member_type": "NOPE"}, 400, "unknown_member_type", "member_type"),
        ({"phone": "0812345678", "birth_on": "2026-02-30"}, 422, "invalid_input", "birth_on"),
        ({"phone": "0812345678", "gender": "robot"}, 422, "invalid_input", "gender"),
        ({"first_name": "x"}, 422, "invalid_input", "phone"),
        ({"phone": "0812345678", "first_name": "x" * 101}, 422, "invalid_input", "first_name"),
    ],
)
def test_bad_registration_is_a_4xx_naming_the_field(pos, body, status, code, field):
    response = post(pos, "/api/v1/members", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert not Member.objects.exists()


def test_duplicate_phone_is_409_and_changes_nothing(pos, member):
    response = post(pos, "/api/v1/members", {"phone": "+66 81 234 5678", "first_name": "ใหม่"})
    assert response.status_code == 409
    assert response.json()["code"] == "member.phone_taken"
    assert Member.objects.count() == 1


def test_patch_changes_only_given_fields(pos, member):
    response = pos.patch(f"/api/v1/members/{member.code}", data=json.dumps({"first_name": "สมศรี"}), content_type="application/json")
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("สมศรี", "ใจดี")


def test_other_organizations_member_is_not_found(pos, other_org):
    from sasom.testing.factories import MemberFactory

    stranger = MemberFactory(organization=other_org, code="X1")
    assert pos.get(f"/api/v1/members/{stranger.code}").status_code == 404
    assert pos.get("/api/v1/members/lookup?code=X1").status_code == 404


def test_replay_returns_the_stored_answer_and_writes_once(pos):
    first = post(pos, "/api/v1/members", {"phone": "0812345678"}, key="reg-1")
    again = post(pos, "/api/v1/members", {"phone": "0812345678"}, key="reg-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert Member.objects.count() == 1


def test_same_key_with_another_body_is_409(pos):
    post(pos, "/api/v1/members", {"phone": "0812345678"}, key="reg-1")
    response = post(pos, "/api/v1/members", {"phone": "0812345679"}, key="reg-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_mismatch"
    assert Member.objects.count() == 1


def test_refusals_are_replayed_too(pos):
    first = post(pos, "/api/v1/members", {"phone": "12"}, key="bad-1")
    again = post(pos, "/api/v1/members", {"phone": "12"}, key="bad-1")
    assert first.status_code == again.status_code == 400
    assert first.content == again.content


def test_an_answer_before_the_operation_ran_is_not_remembered(pos):
    # given a registration whose body does not match the schema (422), sent with a key
    bad = post(pos, "/api/v1/members", {"phone": 5}, key="reg-7")
    assert bad.status_code == 422
    # and a method the path does not have (405), sent with the same key
    wrong = pos.put("/api/v1/members", data="{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="reg-7")
    assert wrong.status_code == 405

    # when the cashier corrects the body and retries with the same key
    fixed = post(pos, "/api/v1/members", {"phone": "0812345678"}, key="reg-7")

    # then it runs (no 409 mismatch against the refused attempts), and is remembered from now on
    assert fixed.status_code == 201, fixed.content
    assert post(pos, "/api/v1/members", {"phone": "0812345678"}, key="reg-7")["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.filter(key="reg-7").count() == 1


def test_keys_of_different_callers_do_not_collide(pos, org, terminal):
    other = api_key_create(organization_id=org.id, label="POS 2", actor=Actor.system(), terminal=terminal)
    post(pos, "/api/v1/members", {"phone": "0812345678"}, key="k")
    second = Client(HTTP_AUTHORIZATION=f"Bearer {other.key}")
    response = post(second, "/api/v1/members", {"phone": "0812345679"}, key="k")
    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_same_key_in_flight_twice_executes_once(org, terminal, member_type):
    # given one key sent by 6 threads at once
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    results: list[tuple[int, bytes]] = []
    barrier = threading.Barrier(6)

    def send():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
            barrier.wait()
            r = post(client, "/api/v1/members", {"phone": "0812345678"}, key="same")
            results.append((r.status_code, r.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then the member is created once and everybody got the same answer
    assert Member.objects.count() == 1
    assert {status for status, _ in results} == {201}
    assert len({content for _, content in results}) == 1


def test_invalid_idempotency_key_is_refused(pos):
    response = post(pos, "/api/v1/members", {"phone": "0812345678"}, key="x" * 300)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


@pytest.fixture
def manager(org):
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system(), can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def test_member_types_can_be_scripted(manager, pos):
    # given an integration allowed to change configuration
    created = post(manager, "/api/v1/member-types", {"code": "VIP", "name": "วีไอพี", "discount_percent": "10.00",
                                                    "card_validity_months": 24, "birthday_scope": "month"})
    assert created.status_code == 201, created.content
    patched = manager.patch("/api/v1/member-types/VIP", data=json.dumps({"can_earn": False}), content_type="application/json")
    assert patched.json()["can_earn"] is False and patched.json()["discount_percent"] == "10.00"
    assert {t["code"] for t in manager.get("/api/v1/member-types").json()} == {"GEN", "VIP"}
    # and a POS key may not
    assert post(pos, "/api/v1/member-types", {"code": "X", "name": "x"}).status_code == 403
    # and bad values are refused naming the field
    bad = post(manager, "/api/v1/member-types", {"code": "Y", "name": "y", "discount_percent": "150"})
    assert (bad.status_code, bad.json()["field"]) == (422, "discount_percent")
    dup = post(manager, "/api/v1/member-types", {"code": "VIP", "name": "again"})
    assert dup.status_code == 409
    assert manager.get("/api/v1/member-types/NOPE").json()["code"] == "member_type_not_found"


def test_a_member_data_export_through_the_api_is_for_staff_with_the_permission(staff_client, member):
    assert staff_client("cashier").get(f"/api/v1/members/{member.code}/export").status_code == 403
    response = staff_client("admin").get(f"/api/v1/members/{member.code}/export")
    assert response.status_code == 200
    assert response.json()["profile"]["phone"] == "+66812345678"
    zipped = staff_client("admin").get(f"/api/v1/members/{member.code}/export?format=csv")
    assert zipped["Content-Type"] == "application/zip" and zipped.content[:2] == b"PK"


def test_a_members_language_of_messages_is_set_and_shown(pos, member):
    url = f"/api/v1/members/{member.code}"
    answer = pos.patch(url, {"language": "en"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["language"] == "en"
    refused = pos.patch(url, {"language": "xx"}, content_type="application/json")
    assert refused.status_code == 422 and "language" in refused.content.decode()
    member.refresh_from_db()
    assert member.language == "en"
