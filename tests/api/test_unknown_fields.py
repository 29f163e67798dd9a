"""Every write endpoint of the OpenAPI document refuses a body field it does not know (422 naming
it), and its schema says so (``additionalProperties: false`` on every input object), so a
misspelled field is never silently dropped (issue 13).

The walk reads the OpenAPI document, so a new write endpoint is covered the day it is added.
``EXCLUDED_PREFIXES`` lists the paths another change covers; empty it to walk them too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sasom.api import api
from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

EXCLUDED_PREFIXES: tuple[str, ...] = ()
UNKNOWN = "zz_not_a_field"
WRITES = ("post", "put", "patch")

SCHEMA = api.get_openapi_schema()


def _write_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in SCHEMA["paths"].items():
        if path.startswith(EXCLUDED_PREFIXES):
            continue
        for method, operation in operations.items():
            if method in WRITES:
                yield method, path, operation


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return node


def _objects(node: Any, seen: set[int]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema reachable from ``node`` (through refs, properties, items, anyOf)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            target = _resolve(node)
            if id(target) in seen:
                return
            seen.add(id(target))
            if "properties" in target:
                yield ref.rsplit("/", 1)[1], target
            yield from _objects(target, seen)
            return
        if "properties" in node and id(node) not in seen:
            seen.add(id(node))
            yield node.get("title", "?"), node
        for value in node.values():
            yield from _objects(value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value, seen)


def _bodies() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for method, path, operation in _write_operations():
        for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
            yield method, path, content_type, content.get("schema", {})


def _ids(params: list[tuple[Any, ...]]) -> list[str]:
    return [f"{p[0].upper()} {p[1]}" for p in params]


BODIES = list(_bodies())
OPERATIONS = list(_write_operations())


@pytest.mark.parametrize(("method", "path", "content_type", "schema"), BODIES, ids=_ids(BODIES))
def test_every_input_object_of_a_write_says_additional_properties_false(method, path, content_type, schema):
    # given the request body schema of a write endpoint
    # when every object it may contain is read
    loose = [name for name, obj in _objects(schema, set()) if obj.get("additionalProperties") is not False]

    # then none accepts fields it does not declare
    assert not loose, f"{method.upper()} {path}: {loose} accept unknown fields"


def _sample(schema: dict[str, Any]) -> Any:
    """A value of the type a path parameter wants (the endpoint answers 404 or 422 for it, but the
    body is read either way)."""
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    return 1 if "integer" in kinds else "X1"


def _form(schema: dict[str, Any]) -> dict[str, Any]:
    """A form the endpoint would take (its required fields filled), so that the unknown field is
    the one thing wrong with it."""
    schema = _resolve(schema)
    form: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = _resolve(schema["properties"][name])
        if prop.get("format") == "binary":
            form[name] = SimpleUploadedFile("day.csv", b"", content_type="text/csv")
        elif prop.get("format") == "date":
            form[name] = "2026-01-01"
        else:
            form[name] = "1"
    return form


@pytest.fixture
def manage_key(org, terminal):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="walk", actor=Actor.system(), terminal=terminal,
                            can_manage=True, rate_limit_per_minute=100000)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=_ids(OPERATIONS))
def test_every_write_endpoint_refuses_an_unknown_field_naming_it(manage_key, method, path, operation):
    # given a write endpoint and a body carrying a field no schema declares
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(_sample(parameter.get("schema", {}))))
    content = operation.get("requestBody", {}).get("content", {})

    # when it is sent
    if "multipart/form-data" in content:
        form = _form(content["multipart/form-data"]["schema"])
        response = getattr(manage_key, method)(url, data={**form, UNKNOWN: "1"})
    else:
        response = getattr(manage_key, method)(url, data=json.dumps({UNKNOWN: 1}), content_type="application/json")

    # then the answer is 422 and names the unknown field
    assert response.status_code == 422, (response.status_code, response.content)
    answer = response.json()
    named = [answer.get("field") or ""] + [e.get("field", "") for e in answer.get("errors", [])]
    assert any(name.split(".")[-1] == UNKNOWN for name in named), answer
    assert answer["field"].split(".")[-1] == UNKNOWN and UNKNOWN in answer["message"], answer
