"""The report builder's forms: the definition as the page's GET query (so a result has a link),
and the saving and scheduling forms (POST, with ``{% form_token %}``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.reports.builder import (
    CUSTOM,
    DIMENSIONS,
    MEASURES,
    NO_TIER,
    PERIODS,
    Definition,
    definition_clean,
)
from sasom.reports.builder_models import ReportSchedule

# which form field shows an error the definition names
ERROR_FIELDS = {"dimensions": "dimension_1", "values": "values_1"}


class BuilderForm(BoundedForm):
    # text fields with a list: an unknown dimension is the definition's error (its code), not the field's
    dimension_1 = forms.CharField(label=_("Rows by"), required=False, max_length=60, widget=forms.Select)
    dimension_2 = forms.CharField(label=_("Then by"), required=False, max_length=60, widget=forms.Select)
    measures = forms.MultipleChoiceField(label=_("Measures"), required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=[(m.key, m.label) for m in MEASURES.values()])
    period = forms.ChoiceField(label=_("Period"), required=False, choices=list(PERIODS.items()))
    date_from = ShopDateField(label=_("From"), required=False)
    date_to = ShopDateField(label=_("Until"), required=False)
    branch = forms.CharField(label=_("Branch"), required=False, max_length=12, widget=forms.Select)
    member_type = forms.CharField(label=_("Member type"), required=False, max_length=12, widget=forms.Select)
    tier = forms.CharField(label=_("Tier"), required=False, max_length=12, widget=forms.Select)
    values_1 = forms.CharField(label=_("Keep only these values of the first dimension"), required=False,
                               max_length=2000, help_text=_("Comma-separated; for tags, the tags to compare."))
    values_2 = forms.CharField(label=_("Keep only these values of the second dimension"), required=False,
                               max_length=2000)
    sort = forms.CharField(label=_("Sort by"), required=False, max_length=40, widget=forms.Select)

    def __init__(self, *args: Any, organization_id: int, branches: list[Any], branch_ids: set[int] | None,
                 member_types: list[Any], tiers: list[Any], custom_fields: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id, self.branch_ids = organization_id, branch_ids
        self.member_type_ids = {t.pk for t in member_types}
        self.tier_ids = {str(t.pk) for t in tiers}
        self.custom_keys = {f.key for f in custom_fields}
        dims = [(d.key, d.label) for d in DIMENSIONS.values()] + [(CUSTOM + f.key, f.label) for f in custom_fields]
        self.fields["dimension_1"].widget.choices = [("", "—"), *dims]
        self.fields["dimension_2"].widget.choices = [("", _("(none)")), *dims]
        every = _("All my branches") if branch_ids is not None else _("All branches")
        self.fields["branch"].widget.choices = [("", every), *[(b.pk, str(b)) for b in branches]]
        self.fields["member_type"].widget.choices = [("", _("All member types")),
                                                     *[(t.pk, t.name) for t in member_types]]
        self.fields["tier"].widget.choices = [("", _("All tiers")), (NO_TIER, _("No tier")),
                                              *[(t.pk, t.name) for t in tiers]]
        sorts: list[tuple[str, Any]] = [("", _("First dimension"))]
        for key, label in (("d0", _("First dimension")), ("d1", _("Second dimension")),
                           *[(m.key, m.label) for m in MEASURES.values()]):
            sorts += [(key, f"{label} ↑"), ("-" + key, f"{label} ↓")]
        self.fields["sort"].widget.choices = sorts
        self.definition: Definition | None = None
        self.error_code = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        dims = [d for d in (data.get("dimension_1"), data.get("dimension_2")) if d]
        values = {dim: text for dim, text in zip(dims, (data.get("values_1"), data.get("values_2")), strict=False)
                  if text}
        try:
            self.definition = definition_clean(
                {**data, "dimensions": dims, "values": values}, organization_id=self.organization_id,
                branch_ids=self.branch_ids, member_type_ids=self.member_type_ids, tier_ids=self.tier_ids,
                custom_keys=self.custom_keys)
        except DomainError as error:
            self.error_code = error.code
            name = ERROR_FIELDS.get(error.field or "", error.field or "")
            self.add_error(name if name in self.fields else None, forms.ValidationError(error.message, code=error.code))
        return data


def definition_query(definition: dict[str, Any]) -> str:
    """A saved definition as the builder page's query string."""
    query = QueryDict(mutable=True)
    dims = definition.get("dimensions") or []
    for i, dim in enumerate(dims[:2]):
        query[f"dimension_{i + 1}"] = dim
        if (definition.get("values") or {}).get(dim):
            query[f"values_{i + 1}"] = ", ".join(definition["values"][dim])
    query.setlist("measures", list(definition.get("measures") or []))
    for name in ("period", "date_from", "date_to", "branch", "member_type", "tier", "sort"):
        if definition.get(name) not in (None, ""):
            query[name] = str(definition[name])
    return query.urlencode()


class SaveForm(BoundedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    shared = forms.BooleanField(label=_("Share with the organization"), required=False)


class ScheduleForm(BoundedForm):
    frequency = forms.ChoiceField(label=_("How often"), choices=ReportSchedule.Frequency.choices)
    format = forms.ChoiceField(label=_("File"), choices=ReportSchedule.Format.choices)
    recipients = forms.CharField(label=_("E-mail addresses"), max_length=2000,
                                 help_text=_("Staff addresses, comma-separated (up to 20)."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
