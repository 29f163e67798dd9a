"""Forms of the promotion screens: the promotion's own fields (a Django form) and its kind's
parameters, built from the kind's ``ParamSpec``s (``engine.kinds.KINDS``): one input per simple
parameter, repeatable rows for ``bands`` and ``mix``. The services validate; the views show a
refusal on the field it names (``params.bands.1.value`` on the "bands" rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateTimeField
from sasom.core.forms_money import amount_error, amount_shown, amount_typed
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import ParamSpec
from sasom.promotions.models import Mode

WEEKDAYS = [("0", _("Mon")), ("1", _("Tue")), ("2", _("Wed")), ("3", _("Thu")), ("4", _("Fri")), ("5", _("Sat")),
            ("6", _("Sun"))]
EXTRA_ROWS = 2  # blank rows offered under the filled ones of a band or mix
ROW_KEYS = {"bands": ("from", "value"), "mix": ("sku", "quantity", "price")}
# the cells of a kind's rows that are amounts of money, typed and shown in the shop's unit (toman):
# a band's value is a price only where the kind's bands are prices (``_steps.step_kind`` with the
# price mode; a free quantity or a percent stays as typed), a mix's price only for a set price
# (``to_mix(priced=True)``); every band's ``from`` is a quantity or a position
MONEY_CELLS: dict[str, dict[str, frozenset[str]]] = {
    "qty_price": {"bands": frozenset({"value"})},
    "bin_qty_price": {"bands": frozenset({"value"})},
    "mix_set_price": {"mix": frozenset({"price"})},
}


def _codes_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text or _("Codes separated by commas."),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


class PromotionForm(BoundedForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=1_000_000, initial=100,
                                  help_text=_("Lower runs first."))
    stacks = forms.BooleanField(label=_("Stacks with other promotions"), required=False)
    message = forms.CharField(label=_("Message on the bill"), max_length=200, required=False)
    item_skus = _codes_field(_("SKUs it counts"), _("SKUs separated by commas; no SKU, category or brand = every item."))
    item_categories = _codes_field(_("Categories it counts"))
    item_brands = _codes_field(_("Brands it counts"))
    exclude_skus = _codes_field(_("SKUs left out"))
    members_only = forms.BooleanField(label=_("Members only"), required=False)
    member_types = forms.MultipleChoiceField(label=_("Member types"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    tiers = _codes_field(_("Tiers"))
    branches = forms.MultipleChoiceField(label=_("Branches"), required=False, widget=forms.CheckboxSelectMultiple)
    terminals = _codes_field(_("Terminals"))
    salespersons = _codes_field(_("Salespersons"))
    document_types = _codes_field(_("Promotion plans (document types)"))
    starts_at = ShopDateTimeField(label=_("Starts"), required=False)
    ends_at = ShopDateTimeField(label=_("Ends (not included)"), required=False)
    weekdays = forms.MultipleChoiceField(label=_("Days of the week"), required=False, choices=WEEKDAYS,
                                         widget=forms.CheckboxSelectMultiple, help_text=_("None ticked = every day."))
    hours_from = forms.TimeField(label=_("From (time of day)"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    hours_to = forms.TimeField(label=_("Until (not included)"), required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    per_bill_limit = forms.IntegerField(label=_("Times per bill"), required=False, min_value=1)
    per_member_limit = forms.IntegerField(label=_("Bills per member"), required=False, min_value=1)
    budget = forms.IntegerField(label=_("Budget (bills in all)"), required=False, min_value=1)

    def __init__(self, *args: Any, member_types: list[tuple[str, str]], branches: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_types"].choices = member_types  # type: ignore[attr-defined]
        self.fields["branches"].choices = branches  # type: ignore[attr-defined]


class CopyForm(BoundedForm):
    code = forms.CharField(label=_("Code of the copy"), max_length=40)
    name = forms.CharField(label=_("Name of the copy"), max_length=200, required=False)


class SettingsForm(BoundedForm):
    mode = forms.ChoiceField(label=_("When promotions compete"), choices=Mode.choices, widget=forms.RadioSelect)
    gifts_earn_points = forms.BooleanField(label=_("Free items earn points"), required=False)


class PreviewForm(BoundedForm):
    lines = forms.CharField(label=_("Basket"), widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("One line per item: SKU and quantity, e.g. COKE 3"))
    member = forms.CharField(label=_("Member code"), required=False, max_length=64)
    branch = forms.CharField(label=_("Branch code"), required=False, max_length=64)

    def clean_lines(self) -> list[tuple[str, str]]:
        out = []
        for n, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.replace(",", " ").split()
            if not parts:
                continue
            if len(parts) > 2:
                raise forms.ValidationError(_("Line %(n)s: give a SKU and a quantity.") % {"n": n})
            out.append((parts[0], parts[1] if len(parts) == 2 else "1"))
        if not out:
            raise forms.ValidationError(_("Add at least one item."))
        return out


# --- a kind's parameters --------------------------------------------------------------------------


@dataclass
class ParamField:
    """One parameter as the template draws it."""

    spec: ParamSpec
    value: Any = ""
    rows: list[dict[str, Any]] = field(default_factory=list)  # bands and mix
    error: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def input_name(self) -> str:
        return f"p-{self.spec.name}"

    @property
    def keys(self) -> tuple[str, ...]:
        return ROW_KEYS.get(self.spec.type, ())


class _AsTyped(str):
    """A money parameter the money field could not read, kept as typed: the service refuses it on
    its field, and the form shows it back unchanged with the money field's own reason."""

    error: str = ""


def _money_stored(value: str) -> str:
    """A money parameter typed in the shop's unit (toman) as stored (rial), or as typed."""
    try:
        amount = amount_typed(value)
    except forms.ValidationError as exc:
        typed = _AsTyped(value)
        typed.error = amount_error(exc)
        return typed
    return str(amount)


def _money_shown(value: Any) -> str:
    """A stored money parameter in the shop's unit; one kept as typed, as typed."""
    if isinstance(value, _AsTyped):
        return str(value)
    return amount_shown(_text(value) if isinstance(value, list | tuple) else value)


def _money_cells(kind: str, param: str) -> frozenset[str]:
    return MONEY_CELLS.get(kind, {}).get(param, frozenset())


def _typed_error(value: Any) -> str:
    """The money field's reason for the first amount kept as typed in a parameter (or its rows)."""
    cells = value if isinstance(value, list) else [value]
    for cell in cells:
        for item in (cell.values() if isinstance(cell, dict) else [cell]):
            if isinstance(item, _AsTyped) and item.error:
                return item.error
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def param_fields(kind: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
                 ) -> list[ParamField]:
    """The kind's parameters with their values (stored or as posted) and errors, for the form."""
    spec = KINDS.get(kind)
    if spec is None:
        return []
    values, errors = values or {}, errors or {}
    out = []
    for p in spec.params:
        value = values.get(p.name)
        pf = ParamField(spec=p, error=errors.get(p.name, ""))
        if pf.error and _typed_error(value):
            pf.error = _typed_error(value)  # the amount's own reason (too fine for toman), not the kind's
        if p.type in ROW_KEYS:
            money = _money_cells(kind, p.name)
            rows = [dict(r) for r in value if isinstance(r, dict)] if isinstance(value, list) else []
            rows = [{k: (_money_shown(r.get(k)) if k in money else _text(r.get(k))) for k in ROW_KEYS[p.type]}
                    for r in rows]
            pf.rows = rows + [dict.fromkeys(ROW_KEYS[p.type], "") for _i in range(EXTRA_ROWS)]
        elif p.type == "bool":
            pf.value = bool(value) and value not in ("false", "0", "off")
        elif p.type == "money":
            pf.value = _money_shown(value)
        else:
            pf.value = _text(value)
        out.append(pf)
    return out


def _row_numbers(post: QueryDict, name: str) -> list[int]:
    """The numbers of the rows posted for a parameter, in order: every row the form drew (a
    promotion made over the API may hold more than 30 bands; reading only the first 30 rows dropped
    the others when the form was saved), bounded by what Django parses of a POST
    (``DATA_UPLOAD_MAX_NUMBER_FIELDS``)."""
    prefix = f"{name}-"
    numbers = {int(number) for key in post for number, _sep, _cell in [key[len(prefix):].partition("-")]
               if key.startswith(prefix) and number.isdigit() and len(number) < 6}
    return sorted(numbers)


def params_from_post(kind: str, post: QueryDict) -> dict[str, Any]:
    """The kind's parameters as posted: rows with every cell empty dropped, lists split on commas;
    the kind's ``clean`` (in the service) decides what they mean."""
    spec = KINDS.get(kind)
    if spec is None:
        return {}
    out: dict[str, Any] = {}
    for p in spec.params:
        name = f"p-{p.name}"
        if p.type in ROW_KEYS:
            money = _money_cells(kind, p.name)
            rows = []
            for i in _row_numbers(post, name):
                row = {k: post.get(f"{name}-{i}-{k}", "").strip() for k in ROW_KEYS[p.type]}
                if any(row.values()):  # a cell left empty is not sent: the kind's default applies
                    rows.append({k: (_money_stored(v) if k in money else v) for k, v in row.items() if v != ""})
            if rows:
                out[p.name] = rows
        elif p.type == "bool":
            out[p.name] = post.get(name) in ("on", "true", "1")
        elif p.type == "skus":
            items = [s.strip() for s in post.get(name, "").replace("\n", ",").split(",") if s.strip()]
            if items:
                out[p.name] = items
        else:
            value = post.get(name, "").strip()
            if value:
                out[p.name] = _money_stored(value) if p.type == "money" else value
    return out
