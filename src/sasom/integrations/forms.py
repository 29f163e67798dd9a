from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateField
from sasom.integrations.webhooks import EVENT_TYPES
from sasom.organizations.models import Branch, Terminal


class ApiKeyForm(BoundedForm):
    label = forms.CharField(label=_("Label"), max_length=100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(), required=False,
                                    help_text=_("Empty: every branch (an ERP or head-office integration)."))
    terminal = forms.ModelChoiceField(label=_("Terminal"), queryset=Terminal.objects.none(), required=False)
    can_manage = forms.BooleanField(label=_("May change configuration"), required=False)
    require_signature = forms.BooleanField(label=_("Require HMAC signature"), required=False)
    rate_limit_per_minute = forms.IntegerField(label=_("Requests per minute"), min_value=1, max_value=100000, initial=600)

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Branch]", self.fields["branch"]).queryset = Branch.objects.filter(
            organization_id=organization_id, is_active=True)
        cast("forms.ModelChoiceField[Terminal]", self.fields["terminal"]).queryset = Terminal.objects.filter(
            organization_id=organization_id, is_active=True
        ).select_related("branch")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        branch, terminal = data.get("branch"), data.get("terminal")
        if terminal is not None and branch is not None and terminal.branch_id != branch.id:
            self.add_error("terminal", _("This terminal belongs to another branch."))
        return data


class WebhookEndpointForm(BoundedForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["events"]).choices = [(e, e) for e in EVENT_TYPES]


class BatchUploadForm(BoundedForm):
    file = forms.FileField(label=_("File"), help_text=_("CSV (one row per line of a document) or JSON Lines (one document per line)."))
    business_on = ShopDateField(label=_("Business date"))
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("jsonl", "JSON Lines")])
    plans = forms.CharField(
        label=_("Promotion plan per document type"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. wholesale_delivery=WHOLESALE. A document's own plan column wins."),
    )
    calculate = forms.BooleanField(label=_("Calculate points as soon as the file is read"), required=False, initial=True)
