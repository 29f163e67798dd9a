from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm


class PhoneForm(BoundedForm):
    phone = forms.CharField(label=_("Mobile phone number"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True,
                                                          "placeholder": "08x-xxx-xxxx"}))


class CodeForm(BoundedForm):
    code = forms.RegexField(label=_("6-digit code"), regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": _("Type the 6 digits from the SMS.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                          "autofocus": True, "pattern": "[0-9]*", "maxlength": 6}))
