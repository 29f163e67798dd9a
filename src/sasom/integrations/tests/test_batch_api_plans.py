"""The day-end upload's ``plans`` part is what its schema says: ``document_type=plan`` pairs. An
object-shaped part (what schemathesis sent, R6) or any other text is refused before anything is
stored, and the schema carries the pattern so clients and fuzzers know it."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.api import PLANS_PATTERN
from sasom.integrations.models import SaleBatch
from sasom.integrations.services import api_key_create

DOC = {"branch": "B1", "document_number": "R-1", "occurred_at": "2026-11-24T12:30:00+07:00",
       "lines": [{"sku": "1", "quantity": "1", "unit_price": "10"}]}


@pytest.fixture
def erp(org, branch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system())
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def upload(erp, plans: str, calculate: str = "false", business_on: str = "2026-11-24", fmt: str = "jsonl"):
    file = SimpleUploadedFile("day.jsonl", json.dumps(DOC).encode())
    return erp.post("/api/v1/batches", {"file": file, "business_on": business_on, "format": fmt,
                                        "calculate": calculate, "plans": plans})


@pytest.mark.parametrize("plans", [
    '{"retail_receipt": "X"}', "{}", "[object Object]", "receipt=X", "retail_receipt=", "wholesale_delivery",
    "retail_receipt=" + "x" * 41, "retail_receipt=A=B",
])
def test_anything_but_pairs_is_refused_and_nothing_is_stored(erp, plans):
    # when a plans part is not document_type=plan pairs
    response = upload(erp, plans)
    # then 422 names the field and no batch exists
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "plans"
    assert not SaleBatch.objects.exists()


@pytest.mark.parametrize(("plans", "stored"), [
    ("", {}),
    ("wholesale_delivery=WHOLESALE", {"wholesale_delivery": "WHOLESALE"}),
    (" wholesale_delivery = WHOLE SALE ,\ntax_invoice=B2B,", {"wholesale_delivery": "WHOLE SALE", "tax_invoice": "B2B"}),
])
def test_pairs_are_stored(erp, plans, stored):
    response = upload(erp, plans)
    assert response.status_code == 202, response.content
    assert response.json()["plans"] == stored
    assert SaleBatch.objects.get().plans == stored


def test_the_schema_says_so(erp):
    schema = erp.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/batches"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    plans = body["properties"]["plans"]
    assert plans["type"] == "string" and plans["pattern"] == PLANS_PATTERN and plans["maxLength"] == 2000
    assert re.fullmatch(plans["pattern"], "credit_sale=B2B") and not re.fullmatch(plans["pattern"], '{"a": 1}')


@pytest.mark.parametrize("calculate", ["0", "1", "yes", "on", "", "{}"])
def test_calculate_is_true_or_false_and_nothing_else(erp, calculate):
    # when the boolean form part is spelt another way than its schema's true/false
    response = upload(erp, "", calculate=calculate)
    # then 422 names it and nothing is stored
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "calculate"
    assert not SaleBatch.objects.exists()


@pytest.mark.parametrize("calculate", ["false", "False", "TRUE"])
def test_calculate_true_or_false_in_any_case_is_accepted(erp, calculate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(erp, "", calculate=calculate)
    assert response.status_code == 202, response.content


@pytest.mark.parametrize("business_on", ["0", "1700000000", "24/11/2026", "tomorrow"])
def test_business_day_is_an_iso_date_not_unix_seconds(erp, business_on):
    # when the day-end date is not written YYYY-MM-DD ("0" used to become 1 January 1970)
    response = upload(erp, "", business_on=business_on)
    # then 422 names it and nothing is stored
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "business_on"
    assert not SaleBatch.objects.exists()


@pytest.mark.parametrize("fmt", ["", "xml"])
def test_an_empty_or_unknown_format_is_refused_not_taken_for_csv(erp, fmt):
    # given a format part that is empty (what schemathesis sent) or not csv/jsonl
    response = upload(erp, "", fmt=fmt)
    # then 422 names the field and no batch exists
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", "format")
    assert not SaleBatch.objects.exists()
