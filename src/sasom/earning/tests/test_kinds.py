"""The kind registry: every kind carries its parts, and the forms, the model, the API and the
validator read it; parameters a kind does not take are refused, not dropped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.earning import services
from sasom.earning.api_schemas import ParamsIn, RuleIn
from sasom.earning.conditions import Scope, When
from sasom.earning.forms import KIND_FORMS, RuleForm
from sasom.earning.kinds import KINDS, RULE_CLASSES, Kind, RuleHead, all_param_names, kind_choices
from sasom.earning.models import EarnRule
from sasom.earning.params import (
    RULE_PARAMS_INVALID,
    UNKNOWN_PARAMETER,
    build_rule,
    describe,
    validate_params,
)
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

# A valid set of parameters per kind (every registered kind must have one here).
SAMPLES: dict[str, dict[str, Any]] = {
    Kind.BASE: {"per_amount": "25", "points": 1},
    Kind.THRESHOLD: {"min_amount": "1500", "points": 50},
    Kind.PRODUCT: {"categories": ["BEAUTY"], "mode": "multiply", "value": "3"},
    Kind.SPEND: {"steps": [{"min_amount": "2000", "mode": "multiply", "value": "2"}]},
    Kind.GOLDEN_MINUTE: {"min_amount": "0", "mode": "multiply", "value": "2"},
    Kind.BIRTHDAY: {"period": "month", "mode": "multiply", "value": "2"},
    Kind.REFERRAL: {"member_points": 50, "referrer_points": 100},
    Kind.SPECIAL_DATE: {"dates": ["06-15"], "mode": "fixed", "value": "20"},
}
HEAD = RuleHead(id=1, code="R", name="Rule", priority=0, stop_further=False, scope=Scope(), when=When())


# --- the registry -------------------------------------------------------------------------------


def test_every_kind_is_registered_under_its_code_with_all_its_parts():
    assert set(KINDS) == set(SAMPLES)
    for code, kind in KINDS.items():
        assert kind.code == code
        assert str(kind.label) and str(kind.description)
        assert kind.params and len(kind.param_names) == len(kind.params)
        assert all(p.help for p in kind.params)
        assert kind.rule_class.kind == code
        assert RULE_CLASSES[code] is kind.rule_class
        assert callable(kind.clean) and callable(kind.build) and callable(kind.explain)


@pytest.mark.parametrize("code", list(SAMPLES))
def test_each_kind_cleans_builds_and_explains_its_parameters(code):
    # given a kind's sample parameters, cleaned by the kind
    kind = KINDS[code]
    clean = kind.clean(SAMPLES[code])
    # then the clean ones are all the kind's own, and they survive a second cleaning unchanged
    assert set(clean) <= kind.param_names
    assert kind.clean(clean) == clean
    # and the builder makes the kind's engine object, and the summary is not empty
    rule = kind.build(HEAD, clean)
    assert type(rule) is kind.rule_class and rule.code == "R"
    assert kind.explain(clean) == describe(code, clean) != ""
    assert build_rule(kind=code, id=1, code="R", name="Rule", priority=0, stop_further=False,
                      scope=Scope(), when=When(), params=clean) == rule


def test_the_golden_minute_alone_needs_a_daily_window():
    assert [code for code, kind in KINDS.items() if kind.needs_time_window] == [Kind.GOLDEN_MINUTE]


def test_the_rule_form_and_the_model_offer_the_registry_kinds_with_their_labels():
    form = RuleForm(member_types=[], branches=[])
    assert list(form.fields["kind"].choices) == kind_choices() == [(c, k.label) for c, k in KINDS.items()]
    assert [value for value, _ in EarnRule._meta.get_field("kind").choices] == list(KINDS)


def test_each_kind_has_a_parameter_form_with_exactly_its_parameters():
    assert list(KIND_FORMS) == list(KINDS)
    for code, form in KIND_FORMS.items():
        assert set(form.base_fields) == KINDS[code].param_names


def test_the_api_takes_the_registry_kinds_and_their_parameters():
    kind_schema = RuleIn.model_json_schema()["properties"]["kind"]
    assert kind_schema["enum"] == list(KINDS)
    assert set(ParamsIn.model_fields) == all_param_names()
    # each parameter's description names the kinds that take it
    assert ParamsIn.model_fields["min_amount"].description.startswith("threshold:")
    assert "golden_minute:" in ParamsIn.model_fields["min_amount"].description


def test_the_openapi_document_lists_the_registry_kinds(client: Client):
    schema = client.get("/api/v1/openapi.json").json()
    rule_in = schema["components"]["schemas"]["RuleIn"]
    assert rule_in["properties"]["kind"]["enum"] == list(KINDS)
    assert rule_in["properties"]["params"]
    params = schema["components"]["schemas"]["ParamsIn"]
    assert set(params["properties"]) == all_param_names()
    assert params["additionalProperties"] is False


# --- unknown parameters: the validator --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        (Kind.BASE, {"per_amount": "25", "points": 1, "colour": "red"}, "colour"),
        (Kind.BASE, {"per_amount": "25", "points": 1, "min_amount": "100"}, "min_amount"),  # another kind's
        (Kind.THRESHOLD, {"min_amount": "100", "points": 5, "per_quantity": True}, "per_quantity"),
        (Kind.PRODUCT, {"skus": ["A"], "mode": "fixed", "value": "5", "per_quantity": True, "qty": 1}, "qty"),
        (Kind.BASE, {"per_amont": "25", "points": 1}, "per_amont"),  # a typo is named, not "required"
    ],
)
def test_the_validator_refuses_a_parameter_the_kind_does_not_take(kind, params, field):
    with pytest.raises(DomainError) as err:
        validate_params(kind, params)
    assert (err.value.code, err.value.field) == (UNKNOWN_PARAMETER, field)
    assert repr(field) in err.value.message and kind in err.value.message


def test_the_validator_refuses_an_unknown_key_inside_a_spend_step():
    steps = [{"min_amount": "2000", "mode": "multiply", "value": "2", "colour": "red"}]
    with pytest.raises(DomainError) as err:
        validate_params(Kind.SPEND, {"steps": steps})
    assert (err.value.code, err.value.field) == (UNKNOWN_PARAMETER, "steps")
    assert "'colour'" in err.value.message


def test_an_unknown_kind_is_still_a_params_error_on_kind():
    with pytest.raises(DomainError) as err:
        validate_params("lottery", {})
    assert (err.value.code, err.value.field) == (RULE_PARAMS_INVALID, "kind")


# --- unknown parameters: the service ------------------------------------------------------------


def test_rule_create_refuses_an_unknown_parameter_and_stores_nothing(org, member_type, actor):
    # when a base rule is given a parameter of another kind
    with pytest.raises(DomainError) as err:
        services.rule_create(
            organization_id=org.pk, actor=actor, code="BASE-GEN", name="Base", kind=Kind.BASE,
            member_types=["GEN"], params={"per_amount": "25", "points": 1, "steps": []},
        )
    # then it is refused naming the parameter, and nothing is stored or audited
    assert (err.value.code, err.value.field) == (UNKNOWN_PARAMETER, "steps")
    assert not EarnRule.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="earning.").exists()


def test_rule_update_refuses_an_unknown_parameter_and_changes_nothing(org, member_type, actor):
    rule = services.rule_create(
        organization_id=org.pk, actor=actor, code="BASE-GEN", name="Base", kind=Kind.BASE,
        member_types=["GEN"], params={"per_amount": "25", "points": 1},
    )
    before = EarnRule.objects.values().get()
    with pytest.raises(DomainError) as err:
        services.rule_update(rule=rule, actor=actor, params={"per_amount": "20", "points": 1, "bonus": 5})
    assert (err.value.code, err.value.field) == (UNKNOWN_PARAMETER, "bonus")
    assert EarnRule.objects.values().get() == before


def test_a_new_kind_without_new_parameters_keeps_only_the_stored_ones_it_takes(org, member_type, actor):
    # given a golden minute rule (min_amount, mode, value)
    rule = services.rule_create(
        organization_id=org.pk, actor=actor, code="G", name="Golden", kind=Kind.GOLDEN_MINUTE,
        time_from=dt.time(12), time_to=dt.time(13),
        params={"min_amount": "100", "mode": "multiply", "value": "2"},
    )
    # when it becomes a birthday rule without new parameters (a birthday takes them all)
    rule = services.rule_update(rule=rule, actor=actor, kind=Kind.BIRTHDAY)
    # then the parameters carry over, with the birthday's default period
    assert rule.params == {"period": "day", "min_amount": "100.00", "mode": "multiply", "value": "2"}
    # and back to a golden minute: the stored period is the old kind's, not the caller's mistake
    rule = services.rule_update(rule=rule, actor=actor, kind=Kind.GOLDEN_MINUTE)
    assert rule.params == {"min_amount": "100.00", "mode": "multiply", "value": "2"}


# --- unknown parameters: the API ----------------------------------------------------------------


@pytest.fixture
def manager(org, member_type) -> Client:
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system(), can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


BASE_RULE = {"code": "BASE-GEN", "name": "Base", "kind": "base", "member_types": ["GEN"],
             "params": {"per_amount": "100", "points": 1}}


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        # a name no kind takes: the schema refuses it
        ({"per_amount": "100", "points": 1, "colour": "red"}, 422, "invalid_input", "params.colour"),
        # a name another kind takes: the service refuses it
        ({"per_amount": "100", "points": 1, "min_amount": "10"}, 400, UNKNOWN_PARAMETER, "min_amount"),
        ({"per_amount": "100", "points": 1, "mode": "fixed"}, 400, UNKNOWN_PARAMETER, "mode"),
    ],
)
def test_the_api_refuses_an_unknown_parameter_and_stores_nothing(manager, params, status, code, field):
    response = _send(manager, "post", "/api/v1/earning/rules", {**BASE_RULE, "params": params})
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not EarnRule.objects.exists()


def test_the_api_refuses_an_unknown_key_in_a_step(manager):
    body = {"code": "S", "name": "Spend", "kind": "spend",
            "params": {"steps": [{"min_amount": "2000", "mode": "multiply", "value": "2", "colour": "red"}]}}
    response = _send(manager, "post", "/api/v1/earning/rules", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", "params.steps.0.colour")
    assert not EarnRule.objects.exists()


def test_an_api_patch_with_an_unknown_parameter_changes_nothing(manager):
    assert _send(manager, "post", "/api/v1/earning/rules", BASE_RULE).status_code == 201
    before = EarnRule.objects.values().get()
    response = _send(manager, "patch", "/api/v1/earning/rules/BASE-GEN",
                     {"params": {"per_amount": "20", "points": 1, "dates": ["06-15"]}})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (UNKNOWN_PARAMETER, "dates")
    assert EarnRule.objects.values().get() == before


def test_the_api_lists_rules_by_a_registry_kind_and_refuses_another(manager):
    assert _send(manager, "post", "/api/v1/earning/rules", BASE_RULE).status_code == 201
    assert [r["code"] for r in manager.get("/api/v1/earning/rules?kind=base").json()["items"]] == ["BASE-GEN"]
    assert manager.get("/api/v1/earning/rules?kind=threshold").json()["items"] == []
    refused = manager.get("/api/v1/earning/rules?kind=lottery")
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid_input", "kind")
