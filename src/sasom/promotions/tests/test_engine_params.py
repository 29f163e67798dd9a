"""The kind registry: every kind declares itself fully; parameters are cleaned or refused with
the field named."""

from __future__ import annotations

from typing import Any

import pytest

from sasom.promotions.engine.kinds import KINDS, VARIANTS
from sasom.promotions.engine.types import PARAM_TYPES, ItemSet, ParamsError


def test_every_variant_of_seed_001_has_a_kind_of_its_family() -> None:
    families = {str(n) for n in range(1, 6)}
    assert {v[0] for v in VARIANTS} == families
    assert len(VARIANTS) == 29  # 3 + 6 + 9 + 6 + 5 (issue 14's list)
    for variant, code in VARIANTS.items():
        assert KINDS[code].family == int(variant[0]), variant
    assert set(VARIANTS.values()) == set(KINDS)


@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_declares_itself_and_its_example_cleans_and_builds(code: str) -> None:
    kind = KINDS[code]
    assert kind.code == code and 1 <= kind.family <= 5
    assert str(kind.label) and str(kind.description)
    assert all(p.type in PARAM_TYPES and str(p.label) for p in kind.params)
    cleaned = kind.clean(kind.example)
    assert kind.clean(cleaned) == cleaned  # cleaning what is stored changes nothing
    rule = kind.build(cleaned, ItemSet(skus=frozenset({"X"})))
    assert rule.items() is not None
    assert kind.explain(cleaned)


@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_refuses_unknown_parameters(code: str) -> None:
    with pytest.raises(ParamsError) as err:
        KINDS[code].clean({**KINDS[code].example, "colour": "red"})
    assert err.value.field == "colour"


@pytest.mark.parametrize(("code", "params", "field"), [
    ("qty_free", {"bands": []}, "bands"),
    ("qty_free", {"bands": [{"from": 0, "value": 1}]}, "bands.0.from"),
    ("qty_free", {"bands": [{"from": 2, "value": "1.5"}]}, "bands.0.value"),
    ("qty_percent", {"bands": [{"from": 3, "value": "2"}, {"from": 7, "value": "101"}]}, "bands.1.value"),
    ("qty_price", {"bands": [{"from": 3, "value": "9.999"}]}, "bands.0.value"),
    ("qty_price", {"bands": [{"from": 3, "value": "9", "to": 6}]}, "bands.0.to"),
    ("mix_gift", {"mix": [{"sku": "A", "quantity": 1}], "gifts": []}, "gifts"),
    ("mix_gift", {"mix": [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 2}], "gifts": ["B"]}, "mix.1.sku"),
    ("mix_gift", {"mix": [{"sku": "A", "quantity": 1, "price": "5"}], "gifts": ["B"]}, "mix.0.price"),
    ("mix_pwp", {"mix": [{"sku": "A", "quantity": 1}], "offers": ["B"], "offer_price": "-1"}, "offer_price"),
    ("mix_set_price", {"mix": [{"sku": "A", "quantity": 1}]}, "mix.0.price"),
    ("group_gift", {"quantity": "two", "gifts": ["B"]}, "quantity"),
    ("group_gift", {"quantity": 2, "gifts": ["B", "B"]}, "gifts.1"),
    ("group_percent", {"quantity": 2, "percent": "0"}, "percent"),
    ("group_step_percent", {"bands": [{"from": 2, "value": "20"}, {"from": 1, "value": "10"}]}, "bands.1.from"),
    ("value_discount", {"threshold": "500", "scope": "bill"}, "percent"),
    ("value_discount", {"threshold": "500", "percent": "5", "amount": "10", "scope": "bill"}, "percent"),
    ("value_discount", {"threshold": "500", "percent": "5", "scope": "shop"}, "scope"),
    ("value_gift", {"gifts": ["B"]}, "threshold"),
    ("bin_pack_lowest", {"pack_size": 6, "pack_price": "60"}, "unit_price"),
    ("bin_pack_progressive", {"pack_size": 6, "pack_price": "sixty"}, "pack_price"),
])
def test_bad_parameters_name_their_field(code: str, params: dict[str, Any], field: str) -> None:
    with pytest.raises(ParamsError) as err:
        KINDS[code].clean(params)
    assert err.value.field == field
    assert err.value.message


def test_cleaning_normalizes_what_is_stored() -> None:
    cleaned = KINDS["qty_price"].clean({"bands": [{"from": "3", "value": 9}, {"from": 7, "value": "8.5"}]})
    assert cleaned == {"bands": [{"from": 3, "value": "9.00"}, {"from": 7, "value": "8.50"}]}
    assert KINDS["group_percent"].clean({"quantity": 2, "percent": "20"})["percent"] == "20"
    assert KINDS["mix_gift"].clean({"mix": [{"sku": " A ", "quantity": 1}], "gifts": "B, C"})["gifts"] == ["B", "C"]
