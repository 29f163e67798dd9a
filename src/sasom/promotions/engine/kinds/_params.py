"""Parameter cleaning every kind shares: raw parameters (a form, an API body) are normalized by
their :class:`ParamSpec` type into what is stored (money, percent and decimals as text, whole
numbers as ``int``), or refused with a :class:`ParamsError` naming the field (``bands.1.value``).
Unknown parameters are an error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.core.currency import input_places
from sasom.core.money import is_cents, money_text
from sasom.promotions.engine.kinds._common import COMMA, gettext_noop, joined, said
from sasom.promotions.engine.types import ParamsError, ParamSpec

HUNDRED = Decimal("100")
# A whole parameter (units, a band's start, a pack's size) counts units of a bill, and a bill's
# quantities stay far below ten million (the earning rules take the same bound); an amount is at most
# what a sale's total can hold (ledger: 14 digits, 2 of them places). Beyond these a parameter is
# refused by name: a 40-digit count was stored and its draft hung the preview, "1e999999" cost half
# a minute of a worker before a 500, and a 40-digit amount was refused without its field.
WHOLE_MAX = 10_000_000
MONEY_MAX = Decimal("999999999999.99")


def to_decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ParamsError(field, _("a number is required"))
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise ParamsError(field, _("a number is required")) from exc
    if not number.is_finite():
        raise ParamsError(field, _("a number is required"))
    return number


def _above(field: str, maximum: str) -> ParamsError:
    """The refusal of a number above what a parameter may hold (:data:`WHOLE_MAX`, :data:`MONEY_MAX`)."""
    return ParamsError(field, said(gettext_noop("at most %(maximum)s"), {"maximum": maximum}))


def to_int(value: Any, field: str, minimum: int = 1) -> int:
    number = to_decimal(value, field)
    if number > WHOLE_MAX:  # before int(): a huge exponent would take the worker minutes
        raise _above(field, f"{WHOLE_MAX:,}")
    if number != number.to_integral_value():
        raise ParamsError(field, _("a whole number is required"))
    if number < minimum:
        raise ParamsError(field, said(gettext_noop("at least %(minimum)s"), {"minimum": minimum}))
    return int(number)


def to_money(value: Any, field: str) -> str:
    number = to_decimal(value, field)
    places = input_places()  # the organization's minor unit (the service sets it: core.currency.amounts_in)
    if number > MONEY_MAX:
        raise _above(field, f"{MONEY_MAX:,}" if places else f"{int(MONEY_MAX):,}")
    if number < 0 or not is_cents(number, places):
        raise ParamsError(field, _("an amount of at least 0 with two decimals at most is required") if places
                          else _("a whole amount of at least 0 is required"))
    return money_text(number, places)


def to_percent(value: Any, field: str) -> str:
    number = to_decimal(value, field)
    if not 0 < number <= HUNDRED:
        raise ParamsError(field, _("a percent above 0 and at most 100 is required"))
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def to_positive(value: Any, field: str) -> str:
    number = to_decimal(value, field)
    if number <= 0:
        raise ParamsError(field, _("a number above 0 is required"))
    if number > WHOLE_MAX:
        raise _above(field, f"{WHOLE_MAX:,}")
    return str(number)


def to_sku(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamsError(field, _("a SKU is required"))
    return value.strip()


def to_skus(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace("\n", ",").split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamsError(field, _("at least one SKU is required"))
    out = [to_sku(v, f"{field}.{i}") for i, v in enumerate(value)]
    for i, sku in enumerate(out):
        if sku in out[:i]:
            raise ParamsError(f"{field}.{i}", _("a SKU is named twice"))
    return out


BAND_VALUES = {"percent": to_percent, "money": to_money, "int": lambda v, f: to_int(v, f), "decimal": to_positive}


def to_bands(value: Any, field: str, band_value: str) -> list[dict[str, Any]]:
    """Bands ``[{"from": whole number >= 1, "value": ...}]``, strictly ascending by ``from``."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamsError(field, _("at least one band is required"))
    out: list[dict[str, Any]] = []
    for i, band in enumerate(value):
        if not isinstance(band, Mapping):
            raise ParamsError(f"{field}.{i}", _("a band is {from, value}"))
        unknown = set(band) - {"from", "value"}
        if unknown:
            raise ParamsError(f"{field}.{i}.{sorted(unknown)[0]}", _("unknown parameter"))
        start = to_int(band.get("from"), f"{field}.{i}.from")
        if out and start <= out[-1]["from"]:
            raise ParamsError(f"{field}.{i}.from", _("bands go up: each starts above the one before"))
        out.append({"from": start, "value": BAND_VALUES[band_value](band.get("value"), f"{field}.{i}.value")})
    return out


def to_mix(value: Any, field: str, priced: bool) -> list[dict[str, Any]]:
    """A fixed mix ``[{"sku", "quantity", "price"}]``; ``price`` (the set's price of one unit)
    is required when ``priced``, refused otherwise."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamsError(field, _("at least one item is required"))
    out: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ParamsError(f"{field}.{i}", _("an item is {sku, quantity, price}"))
        unknown = set(item) - {"sku", "quantity", "price"}
        if unknown:
            raise ParamsError(f"{field}.{i}.{sorted(unknown)[0]}", _("unknown parameter"))
        sku = to_sku(item.get("sku"), f"{field}.{i}.sku")
        if any(o["sku"] == sku for o in out):
            raise ParamsError(f"{field}.{i}.sku", _("a SKU is named twice"))
        quantity = to_int(item.get("quantity", 1), f"{field}.{i}.quantity")
        raw_price = item.get("price")
        if priced and raw_price in (None, ""):
            raise ParamsError(f"{field}.{i}.price", _("the set's price of this item is required"))
        price = to_money(raw_price, f"{field}.{i}.price") if raw_price not in (None, "") else None
        if price is not None and not priced:
            raise ParamsError(f"{field}.{i}.price", _("this kind takes no price per item"))
        out.append({"sku": sku, "quantity": quantity, "price": price})
    return out


def to_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "on", "1", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "off", "0", "no", ""):
        return False
    raise ParamsError(field, _("true or false is required"))


def clean_params(
    specs: Sequence[ParamSpec], raw: Mapping[str, Any], *, band_value: str = "decimal", priced_mix: bool = False
) -> dict[str, Any]:
    """Every parameter of ``specs`` normalized by its type; unknown ones refused."""
    if not isinstance(raw, Mapping):
        raise ParamsError("params", _("an object of parameters is required"))
    names = {s.name for s in specs}
    for name in raw:
        if name not in names:
            raise ParamsError(str(name), _("unknown parameter"))
    out: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.type == "bool":
                out[spec.name] = False
            elif spec.required:
                raise ParamsError(spec.name, _("this parameter is required"))
            continue
        out[spec.name] = _clean_one(spec, value, band_value, priced_mix)
    return out


def _clean_one(spec: ParamSpec, value: Any, band_value: str, priced_mix: bool) -> Any:
    name = spec.name
    if spec.type == "int":
        return to_int(value, name)
    if spec.type == "money":
        return to_money(value, name)
    if spec.type == "percent":
        return to_percent(value, name)
    if spec.type == "decimal":
        return to_positive(value, name)
    if spec.type == "sku":
        return to_sku(value, name)
    if spec.type == "skus":
        return to_skus(value, name)
    if spec.type == "bands":
        return to_bands(value, name, band_value)
    if spec.type == "mix":
        return to_mix(value, name, priced_mix)
    if spec.type == "bool":
        return to_bool(value, name)
    if spec.type == "choice":
        if value not in spec.options:
            raise ParamsError(name, said(gettext_noop("one of %(options)s"), {"options": joined(COMMA, spec.options)}))
        return value
    if not isinstance(value, str):
        raise ParamsError(name, _("text is required"))
    return value.strip()
