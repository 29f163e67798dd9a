"""Forms only parse and shape input; the rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.currency import MINOR_UNITS
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.core.uploads import PictureField
from sasom.organizations.models import Branch, Calendar, Organization, Role, Staff, Terminal


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or on the whole form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


class BranchForm(BoundedForm):
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=200)
    address = forms.CharField(label=_("address"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)


class TerminalForm(BoundedForm):
    code = forms.CharField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Terminal.Kind.choices, initial=Terminal.Kind.POS)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


def _branch_field(organization: Organization) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("branches"),
        queryset=Branch.objects.filter(organization=organization, is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Required for branch managers, cashiers and service counters; empty for the other roles."),
    )


def _role_choices(by: Staff) -> list[tuple[str, Any]]:
    """The roles ``by`` may hand out, after an empty choice (no role is picked by accident)."""
    return [("", "—")] + [(v, label) for v, label in Role.choices if v != Role.OWNER or by.role == Role.OWNER]


class StaffCreateForm(BoundedForm):
    username = forms.RegexField(
        label=_("username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    display_name = forms.CharField(label=_("display name"), max_length=200, required=False)
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    role = forms.ChoiceField(label=_("role"))
    branches = forms.ModelMultipleChoiceField(queryset=Branch.objects.none(), required=False)

    def __init__(self, *args, organization: Organization, by: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices(by)
        self.fields["branches"] = _branch_field(organization)


class StaffEditForm(BoundedForm):
    display_name = forms.CharField(label=_("display name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("role"))
    branches = forms.ModelMultipleChoiceField(queryset=Branch.objects.none(), required=False)

    def __init__(self, *args, organization: Organization, by: Staff, target: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _role_choices(by)
        if target.role == Role.OWNER and all(v != Role.OWNER for v, _label in choices):
            choices = list(Role.choices)  # shown read-only; the service refuses the change
        cast(forms.ChoiceField, self.fields["role"]).choices = choices
        self.fields["branches"] = _branch_field(organization)


class PasswordResetForm(BoundedForm):
    password = forms.CharField(label=_("new password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("new password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


LOGO_SIDE = 600  # pixels: sharp at 30 mm on a card, light in a PDF of 2,000 cards


class OrganizationForm(BoundedForm):
    name = forms.CharField(label=_("name"), max_length=200)
    currency = forms.ChoiceField(label=_("currency"), choices=[(code, code) for code in MINOR_UNITS],
                                 help_text=_("Fixed once the shop has sales: every amount is stored in it."))
    time_zone = forms.CharField(label=_("time zone"), max_length=64, help_text=_("For example Asia/Bangkok."))
    member_code_pattern = forms.CharField(
        label=_("member code pattern"),
        max_length=40,
        help_text=_("Must contain {seq} (running number); may use {yy}, {yyyy}, {mm}, {branch}. Example: M{seq:07d}."),
    )
    phone_region = forms.CharField(
        label=_("default phone region"), max_length=2, min_length=2, help_text=_("Two-letter country code, e.g. TH.")
    )
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES,
                                 help_text=_("The shop's own language: receipts, and messages to members who chose "
                                             "none."))
    calendar = forms.ChoiceField(label=_("calendar"), choices=Calendar.choices,
                                 help_text=_("How every screen, receipt and message writes dates. Files and the API "
                                             "keep ISO dates."))
    periods_follow_calendar = forms.BooleanField(
        label=_("periods follow the calendar"), required=False,
        help_text=_("Months, quarters and years of points expiry, birthdays and birth months are the calendar's "
                    "(a Jalali shop's month ends with the Jalali month). Off: Gregorian months."))
    persian_digits = forms.BooleanField(label=_("Persian digits"), required=False,
                                        help_text=_("Dates and numbers in Persian digits for Persian readers."))
    amounts_in_toman = forms.BooleanField(
        label=_("amounts in toman"), required=False,
        help_text=_("IRR only: screens, receipts, exports and forms show amounts in toman (1 toman = 10 rial); "
                    "amounts are stored and sent in the API in rial."))
    sales_since = ShopDateField(
        label=_("sales accepted from"), required=False,
        help_text=_("Sales dated before this day are refused. Empty: no limit."),
    )
    logo = PictureField(label=_("logo"), required=False, max_side=LOGO_SIDE,
                        help_text=_("Printed on the front of member cards (JPEG, PNG or WebP)."))


class TotpTokenForm(BoundedForm):
    token = forms.CharField(
        label=_("6-digit code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
