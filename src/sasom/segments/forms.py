"""The segment builder's form: the conditions a member of staff picks on a screen, turned into the
list :func:`~sasom.segments.builder.segment_clean` reads. One form for every screen that selects
members (broadcasts and mailing labels, coupon bulk issue, portal news, reports), so each offers
the same conditions with the same words.

A screen embeds it (a subclass adding its own fields, or beside its own form under a ``prefix``)
and maps the builder's errors (``conditions.<i>.<param>``) back to a field with
:meth:`SegmentForm.error_field` (or :func:`condition_field`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateField
from sasom.core.forms_money import ShopMoneyField
from sasom.members.models import Member, MemberType
from sasom.organizations.models import Branch
from sasom.tiers.models import Tier

MONTHS = [(i, i) for i in range(1, 13)]

# For each condition kind, the form field that holds each of its parameters.
FIELDS_OF: dict[str, dict[str, str]] = {
    "member_type": {"ids": "member_types"},
    "tier": {"codes": "tiers"},
    "home_branch": {"ids": "home_branches"},
    "birth_month": {"months": "birth_months"},
    "gender": {"genders": "genders"},
    "age": {"min_age": "min_age", "max_age": "max_age"},
    "marital_status": {"statuses": "marital_statuses"},
    "occupation": {"text": "occupation"},
    "tags": {"tags": "tags"},
    "spend": {"from_on": "spent_from", "to_on": "spent_to", "min_amount": "spent_at_least"},
    "points_earned": {"from_on": "points_from", "to_on": "points_to", "min_points": "points_at_least"},
    "custom_field": {"key": "custom_key", "value": "custom_value"},
    "marketing_consent": {"granted": "consent"},
    "last_purchase": {"before_on": "last_purchase_before", "after_on": "last_purchase_after"},
    "balance": {"min_points": "balance_at_least"},
}
# Without the list of conditions: the first field that takes a parameter of that name.
_BY_PARAM: dict[str, str] = {}
for _fields in reversed(FIELDS_OF.values()):
    _BY_PARAM.update(_fields)


def condition_field(field: str | None, conditions: Sequence[dict[str, Any]] | None = None) -> str | None:
    """The form field of a segment error's field ``conditions.<i>.<param>``: the field of that
    condition's kind when ``conditions`` (the list the form built) is given, else the first field
    taking a parameter of that name. Any other field name is given back as it is."""
    if not field or not field.startswith("conditions"):
        return field
    parts = field.split(".")
    if len(parts) != 3:
        return None
    index, param = parts[1], parts[2]
    if conditions is not None and index.isdigit() and int(index) < len(conditions):
        return FIELDS_OF.get(str(conditions[int(index)].get("kind")), {}).get(param)
    return _BY_PARAM.get(param)


def segment_initial(conditions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The form's initial values for stored conditions (the reverse of :meth:`SegmentForm.conditions`),
    to edit what was saved."""
    initial: dict[str, Any] = {}
    for condition in conditions:
        kind = str(condition.get("kind"))
        for param, name in FIELDS_OF.get(kind, {}).items():
            value = condition.get(param)
            if value is None:
                continue
            if kind == "tags":
                value = ", ".join(value)
            elif kind == "marketing_consent":
                value = "yes" if value else "no"
            elif param == "min_amount":  # stored as text: an amount, which the money field shows (toman)
                value = Decimal(str(value))
            initial[name] = value
    return initial


def _date(label: Any) -> forms.DateField:
    return ShopDateField(label=label, required=False)


class SegmentForm(BoundedForm):
    """The common segment conditions (``conditions()`` turns them into the segment builder's list).

    ``member_types`` are the choices of member types (by default the organization's active ones);
    without an ``organization_id`` the tiers and home branches are not offered. ``exclude`` drops
    fields a screen asks in its own way."""

    member_types = forms.TypedMultipleChoiceField(label=_("Member types"), coerce=int, required=False, choices=())
    tiers = forms.MultipleChoiceField(label=_("Tiers"), required=False, choices=())
    home_branches = forms.TypedMultipleChoiceField(label=_("Home branches"), coerce=int, required=False, choices=())
    birth_months = forms.TypedMultipleChoiceField(label=_("Birth months"), coerce=int, required=False, choices=MONTHS)
    genders = forms.MultipleChoiceField(label=_("Gender"), required=False,
                                        choices=[c for c in Member.Gender.choices if c[0]])
    min_age = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=130)
    max_age = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=130)
    marital_statuses = forms.MultipleChoiceField(label=_("Marital status"), required=False,
                                                 choices=[c for c in Member.MaritalStatus.choices if c[0]])
    occupation = forms.CharField(label=_("Occupation contains"), required=False, max_length=100)
    tags = forms.CharField(label=_("Has any of the tags"), required=False, max_length=400,
                           help_text=_("Separated by commas."))
    spent_from = _date(_("Spent from"))
    spent_to = _date(_("Spent until"))
    spent_at_least = ShopMoneyField(label=_("Spent at least"), required=False, max_digits=12, decimal_places=2)
    points_from = _date(_("Points earned from"))
    points_to = _date(_("Points earned until"))
    points_at_least = forms.IntegerField(label=_("Points earned at least"), required=False, min_value=0,
                                         max_value=100_000_000)
    balance_at_least = forms.IntegerField(label=_("Points balance at least"), required=False, min_value=0,
                                          max_value=100_000_000)
    custom_key = forms.CharField(label=_("Custom field (key)"), required=False, max_length=40)
    custom_value = forms.CharField(label=_("Custom field equals"), required=False, max_length=100)
    consent = forms.ChoiceField(label=_("Marketing consent"), required=False, choices=[
        ("", _("Any")), ("yes", _("Given")), ("no", _("Not given"))])
    last_purchase_before = _date(_("Last purchase before (lapsed)"))
    last_purchase_after = _date(_("Last purchase on or after (active)"))

    def __init__(self, *args: Any, member_types: list[tuple[int, str]] | None = None,
                 organization_id: int | None = None, exclude: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member_types is None:
            member_types = list(MemberType.objects.filter(organization_id=organization_id, is_active=True)
                                .values_list("pk", "name")) if organization_id is not None else []
        self.fields["member_types"].choices = member_types  # type: ignore[attr-defined]  # a ChoiceField
        if organization_id is None:
            del self.fields["tiers"], self.fields["home_branches"]
        else:
            self.fields["tiers"].choices = list(  # type: ignore[attr-defined]  # a ChoiceField
                Tier.objects.filter(organization_id=organization_id).values_list("code", "name"))
            self.fields["home_branches"].choices = list(  # type: ignore[attr-defined]  # a ChoiceField
                Branch.objects.filter(organization_id=organization_id).values_list("pk", "name"))
        for name in exclude:
            self.fields.pop(name, None)

    def conditions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out: list[dict[str, Any]] = []
        if data.get("member_types"):
            out.append({"kind": "member_type", "ids": data["member_types"]})
        if data.get("tiers"):
            out.append({"kind": "tier", "codes": data["tiers"]})
        if data.get("home_branches"):
            out.append({"kind": "home_branch", "ids": data["home_branches"]})
        if data.get("birth_months"):
            out.append({"kind": "birth_month", "months": data["birth_months"]})
        if data.get("genders"):
            out.append({"kind": "gender", "genders": data["genders"]})
        if data.get("min_age") is not None or data.get("max_age") is not None:
            out.append({"kind": "age", "min_age": data.get("min_age"), "max_age": data.get("max_age")})
        if data.get("marital_statuses"):
            out.append({"kind": "marital_status", "statuses": data["marital_statuses"]})
        if (data.get("occupation") or "").strip():
            out.append({"kind": "occupation", "text": data["occupation"].strip()})
        tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        if tags:
            out.append({"kind": "tags", "tags": tags})
        if data.get("spent_at_least") is not None or data.get("spent_from") or data.get("spent_to"):
            out.append({"kind": "spend", "from_on": data.get("spent_from"), "to_on": data.get("spent_to"),
                        "min_amount": data.get("spent_at_least")})
        if data.get("points_at_least") is not None or data.get("points_from") or data.get("points_to"):
            out.append({"kind": "points_earned", "from_on": data.get("points_from"), "to_on": data.get("points_to"),
                        "min_points": data.get("points_at_least")})
        if data.get("balance_at_least"):
            out.append({"kind": "balance", "min_points": data["balance_at_least"]})
        if (data.get("custom_key") or "").strip():
            out.append({"kind": "custom_field", "key": data["custom_key"].strip(),
                        "value": (data.get("custom_value") or "").strip()})
        if data.get("consent"):
            out.append({"kind": "marketing_consent", "granted": data["consent"] == "yes"})
        if data.get("last_purchase_before") or data.get("last_purchase_after"):
            out.append({"kind": "last_purchase", "before_on": data.get("last_purchase_before"),
                        "after_on": data.get("last_purchase_after")})
        return out

    def error_field(self, field: str | None) -> str | None:
        """The field of this form a segment error names, or None (a form-wide error)."""
        name = condition_field(field, self.conditions() if hasattr(self, "cleaned_data") else None)
        return name if name in self.fields else None

    def add_segment_error(self, field: str | None, message: Any) -> None:
        """Show a segment builder's error on the field it names (on the form when none)."""
        self.add_error(self.error_field(field), message)
