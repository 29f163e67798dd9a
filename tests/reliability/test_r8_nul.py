"""R8: the NUL character (which PostgreSQL text cannot hold) in any API field is refused with 422
naming the field, never a 500 (found by schemathesis in the battery's R6)."""

import json

import pytest

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create


@pytest.fixture
def call(client, org, terminal, member_type, member):
    auth._cache.clear()
    auth._buckets.clear()
    key = api_key_create(organization_id=org.id, label="p", actor=Actor.system(), terminal=terminal, can_manage=True, rate_limit_per_minute=100000).key
    def c(method, path, body=None, raw=None, **q):
        kw = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if raw is not None:
            return client.generic("PATCH", path, raw, content_type="application/json", **kw)
        if body is not None:
            return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **kw)
        return getattr(client, method)(path, q, **kw)
    return c

N = "a\x00b"
CASES = [
    ("post", "/api/v1/members", {"phone": "0812345679", "referred_by": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "first_name": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "code": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "card_number": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "member_type": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "home_branch": N}),
    ("post", "/api/v1/members", {"phone": "0812345679", "tags": [N]}),
    ("post", "/api/v1/members", {"phone": N}),
    ("patch", "/api/v1/members/M0000001", {"first_name": N}),
    ("patch", "/api/v1/members/M0000001", {"tags": [N]}),
    ("get", "/api/v1/members/lookup", None),
    ("post", "/api/v1/sales", {"receipt_id": N, "occurred_at": "2026-01-01T10:00:00+07:00", "lines": [{"sku": "x", "quantity": "1", "unit_price": "10"}]}),
    ("post", "/api/v1/sales", {"receipt_id": "r1", "occurred_at": "2026-01-01T10:00:00+07:00", "member": {"code": N}, "lines": [{"sku": "x", "quantity": "1", "unit_price": "10"}]}),
    ("post", "/api/v1/sales", {"receipt_id": "r2", "occurred_at": "2026-01-01T10:00:00+07:00", "lines": [{"sku": N, "quantity": "1", "unit_price": "10"}]}),
    ("post", "/api/v1/sales", {"receipt_id": "r3", "terminal": N, "occurred_at": "2026-01-01T10:00:00+07:00", "lines": [{"sku": "x", "quantity": "1", "unit_price": "10"}]}),
    ("post", "/api/v1/sales/quote", {"occurred_at": "2026-01-01T10:00:00+07:00", "member": {"card": N}, "lines": [{"sku": "x", "quantity": "1", "unit_price": "10"}]}),
    ("post", "/api/v1/member-types", {"code": N, "name": "x"}),
]

FIELDS = ["referred_by", "first_name", "code", "card_number", "member_type", "home_branch", "tags.0", "phone",
          "first_name", "tags.0", "code", "receipt_id", "member.code", "lines.0.sku", "terminal", "member.card", "code"]


@pytest.mark.parametrize("i", range(len(CASES)))
def test_nul_anywhere_is_refused_naming_the_field(call, org, i):
    from sasom.ledger.models import Sale
    from sasom.members.models import Member

    # given a field holding a NUL character
    method, path, body = CASES[i]
    members = Member.objects.filter(organization=org).count()
    # when it is sent
    response = call(method, path, code=N) if body is None else call(method, path, body)
    # then it is refused with 422 naming the field, and nothing is stored
    assert response.status_code == 422, (CASES[i], response.status_code, response.content[:300])
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == FIELDS[i]
    assert Member.objects.filter(organization=org).count() == members
    assert not Sale.objects.exists()


def test_nul_in_the_path_is_refused(call):
    assert call("get", "/api/v1/members/M%00X").status_code == 422


def test_a_replayed_key_with_nul_stores_no_answer(call):
    from sasom.integrations.models import IdempotencyRecord

    for _ in range(2):
        response = call("post", "/api/v1/members", {"phone": "0812345679", "first_name": N})
        assert response.status_code == 422
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("body, expected", [
    ({"tags": None}, {"tags": []}),
    ({"marketing_consent": None}, {"marketing_consent": False}),
    ({"first_name": None, "gender": None}, {"first_name": "", "gender": ""}),
])
def test_patch_with_nulls_clears_or_keeps_never_500(call, body, expected):
    # found by schemathesis (R6): "tags": null answered 500 (the column is NOT NULL)
    response = call("patch", "/api/v1/members/M0000001", body)
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in expected} == expected


@pytest.mark.parametrize("raw", [b"[]", b"[{}]", b'"text"', b"42", b"null", b"  true"])
def test_a_body_that_is_not_an_object_is_refused(call, raw):
    # found by schemathesis (R6): PATCH /member-types/{code} with [] was read as {} and answered 200
    from sasom.members.models import MemberType

    before = list(MemberType.objects.values_list("code", "name", "is_active", "sort_order"))
    response = call("generic", "/api/v1/member-types/GEN", raw=raw)
    assert response.status_code == 422, response.content
    assert response.json()["message"] == "The request body must be a JSON object."
    assert list(MemberType.objects.values_list("code", "name", "is_active", "sort_order")) == before
