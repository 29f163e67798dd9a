"""Forms: registration and edit (shared with the CSV import), member types, lifecycle tools."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core.bounded import BoundedForm, BoundedModelForm
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.core.forms_money import ShopMoneyField
from sasom.core.permissions import branch_ids_in_scope
from sasom.organizations.models import Branch, Organization

from .lifecycle import ANONYMIZE, DEACTIVATE, EXTEND, RENEW, SET_EXPIRY, TOOLS, Criteria
from .models import Card, Consent, CustomField, Member, MemberType
from .selectors import member_lookup
from .validation import clean_custom_values, date_problems, normalize_phone

PROFILE_FIELDS = [
    "phone", "title", "first_name", "last_name", "gender", "birth_on", "marital_status", "occupation",
    "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict", "district", "province",
    "postcode", "tags", "erp_debtor_code", "referred_by", "home_branch", "joined_on", "expires_on",
    "marketing_consent", "language",
]


class FlexibleDateField(ShopDateField):
    """A day in the organization's calendar (``core.forms_dates``): ISO, Thai ``dd/mm/yyyy`` with
    Buddhist-era years, Jalali ``1405/09/07`` in a Jalali shop; impossible dates are refused."""


class TagsField(forms.CharField):
    # The cleaned value is a list of tags, where CharField declares a str.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        seen: list[str] = []
        for part in text.replace(";", ",").split(","):
            tag = part.strip()[:40]
            if tag and tag not in seen:
                seen.append(tag)
        return seen

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the field it names (or on the form when it names none)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class MemberForm(BoundedModelForm):
    """Registration (``creating=True``) and profile edit. Inputs are named after model fields."""

    code = forms.CharField(label=gettext_lazy("member code"), required=False, max_length=40,
                           help_text=gettext_lazy("Leave empty to generate one."))
    card_number = forms.CharField(label=gettext_lazy("card number"), required=False, max_length=40)
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}))
    birth_on = FlexibleDateField(label=gettext_lazy("birth date"), required=False)
    joined_on = FlexibleDateField(label=gettext_lazy("joined on"), required=False)
    expires_on = FlexibleDateField(label=gettext_lazy("expires on"), required=False,
                                   help_text=gettext_lazy("Empty: from the member type's card validity."))
    tags = TagsField(label=gettext_lazy("interests / tags"), required=False,
                     help_text=gettext_lazy("Separate with commas."))
    referred_by = forms.CharField(label=gettext_lazy("referred by"), required=False,
                                  help_text=gettext_lazy("Member code or phone of the member who referred."))
    consent_channel = forms.ChoiceField(label=gettext_lazy("consent given via"), choices=Consent.Channel.choices,
                                        initial=Consent.Channel.COUNTER, required=False)

    class Meta:
        model = Member
        fields = ["code", "member_type", *PROFILE_FIELDS]

    def __init__(self, *args: Any, organization: Organization, creating: bool = True, staff: Any = None,
                 by_code: bool = False, custom_definitions: list[CustomField] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.creating = creating
        types = MemberType.objects.filter(organization=organization, is_active=True)
        branches = Branch.objects.filter(organization=organization, is_active=True)
        scope = branch_ids_in_scope(staff) if staff is not None else None
        if scope is not None:
            # A branch-scoped role may only assign its own branches (the current one stays valid).
            keep = {self.instance.home_branch_id} if self.instance.pk and self.instance.home_branch_id else set()
            branches = branches.filter(pk__in=set(scope) | keep)
        member_type = cast("forms.ModelChoiceField[MemberType]", self.fields["member_type"])
        home_branch = cast("forms.ModelChoiceField[Branch]", self.fields["home_branch"])
        member_type.queryset = types
        member_type.required = False
        home_branch.queryset = branches
        if by_code:
            member_type.to_field_name = "code"
            home_branch.to_field_name = "code"
        if creating:
            default = types.filter(is_default=True).first()
            if default and not self.is_bound:
                self.initial.setdefault("member_type", default.pk)
            if scope and not self.is_bound:
                self.initial.setdefault("home_branch", sorted(scope)[0])
        else:
            self.fields["joined_on"].required = True
            for name in ("code", "member_type", "card_number"):
                del self.fields[name]
            if self.instance.pk and self.instance.referred_by_id and not self.is_bound:
                self.initial["referred_by"] = self.instance.referred_by.code
        if custom_definitions is None:
            custom_definitions = list(CustomField.objects.filter(organization=organization))
        self.custom_definitions = custom_definitions
        for d in self.custom_definitions:
            name = f"custom_{d.key}"
            if d.kind == CustomField.Kind.CHOICE:
                field: forms.Field = forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in d.choices or []])
            elif d.kind == CustomField.Kind.DATE:
                field = FlexibleDateField()
            elif d.kind == CustomField.Kind.NUMBER:
                field = forms.DecimalField()
            else:
                field = forms.CharField(max_length=500)
            field.label, field.required = d.label, d.required
            self.fields[name] = field
            if not self.is_bound and self.instance.pk:
                self.initial[name] = (self.instance.custom or {}).get(d.key)

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone", ""), self.organization.phone_region)
        except DomainError as e:
            raise forms.ValidationError(e.message, code=e.code) from None

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip()

    def clean_card_number(self) -> str:
        return (self.cleaned_data.get("card_number") or "").strip()

    def clean_referred_by(self) -> Member | None:
        ref = (self.cleaned_data.get("referred_by") or "").strip()
        if not ref:
            return None
        found = member_lookup(self.organization.pk, code=ref, phone=ref, region=self.organization.phone_region)
        if found is None:
            raise forms.ValidationError(_("No member has this code or phone."), code="not_found")
        return found

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        raw = {d.key: cleaned.get(f"custom_{d.key}") for d in self.custom_definitions}
        raw = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in raw.items()}
        values, errors = clean_custom_values(self.custom_definitions, raw)
        for e in errors:
            if e.field not in self.errors:
                self.add_error(e.field, e.message)
        cleaned["custom"] = values
        for e in date_problems(cleaned, timezone.localdate()):
            if e.field not in self.errors:
                self.add_error(e.field, e.message)
        return cleaned

    def _post_clean(self) -> None:
        """Model-level checks run in the services (with the organization); skip the instance's."""

    def member_data(self) -> dict[str, Any]:
        keys = [k for k in ("code", "member_type", *PROFILE_FIELDS) if k in self.fields]
        data = {k: self.cleaned_data.get(k) for k in keys}
        data["custom"] = self.cleaned_data.get("custom", {})
        for k in ("title", "first_name", "last_name", "occupation", "email", "line_id", "address_line", "moo", "soi",
                  "road", "subdistrict", "district", "province", "postcode", "erp_debtor_code", "gender", "marital_status", "language"):
            if k in data and data[k] is None:
                data[k] = ""
        return data

    @property
    def consent_channel_value(self) -> str:
        return self.cleaned_data.get("consent_channel") or Consent.Channel.COUNTER


class ChangeTypeForm(BoundedForm):
    member_type = forms.ModelChoiceField(queryset=MemberType.objects.none(), label=gettext_lazy("member type"))
    recompute_expiry = forms.BooleanField(required=False, label=gettext_lazy("Start a new card period from today"))
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("reason"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[MemberType]", self.fields["member_type"]).queryset = MemberType.objects.filter(
            organization=organization, is_active=True)


class CodeChangeForm(BoundedForm):
    new_code = forms.CharField(max_length=40, label=gettext_lazy("new member code"))
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("reason"))


class StatusForm(BoundedForm):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Member.Status.ACTIVE, Member.Status.SUSPENDED, Member.Status.CLOSED)],
        label=gettext_lazy("status"),
    )
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("reason"))


class CardForm(BoundedForm):
    card_number = forms.CharField(max_length=40, label=gettext_lazy("card number"))


class CardReplaceForm(BoundedForm):
    card = forms.ModelChoiceField(queryset=Card.objects.none(), label=gettext_lazy("card"))
    card_number = forms.CharField(max_length=40, label=gettext_lazy("new card number"))
    lost = forms.BooleanField(required=False, initial=True, label=gettext_lazy("The old card was lost"))
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("reason"))

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Card]", self.fields["card"]).queryset = member.cards.filter(status=Card.Status.ACTIVE)


class ConsentForm(BoundedForm):
    purpose = forms.ChoiceField(choices=Consent.Purpose.choices, label=gettext_lazy("purpose"))
    granted = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Given")), ("0", gettext_lazy("Withdrawn"))], coerce=lambda v: v == "1",
        label=gettext_lazy("consent"),
    )
    channel = forms.ChoiceField(choices=Consent.Channel.choices, label=gettext_lazy("how"))


class AnonymizeForm(BoundedForm):
    confirm_code = forms.CharField(max_length=40, label=gettext_lazy("Type the member code to confirm"))
    reason = forms.CharField(max_length=200, label=gettext_lazy("reason"))


class MemberTypeForm(BoundedModelForm):
    class Meta:
        model = MemberType
        fields = [
            "code", "name", "name_en", "can_earn", "discount_percent", "birthday_discount_percent",
            "birthday_scope", "card_validity_months", "benefits_stop_on_expiry", "is_default", "is_active", "sort_order",
        ]
        labels = {"sort_order": gettext_lazy("order")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("discount_percent", "birthday_discount_percent"):
            field = cast(forms.IntegerField, self.fields[name])  # DecimalField is an IntegerField
            field.min_value = 0
            field.max_value = 100
            field.validators += [MinValueValidator(0), MaxValueValidator(100)]


class LifecycleForm(BoundedForm):
    tool = forms.ChoiceField(choices=list(TOOLS.items()), widget=forms.HiddenInput)
    member_type_ids = forms.ModelMultipleChoiceField(queryset=MemberType.objects.none(), required=False,
                                                     label=gettext_lazy("member types"))
    joined_from = FlexibleDateField(required=False, label=gettext_lazy("joined from"))
    joined_to = FlexibleDateField(required=False, label=gettext_lazy("joined to"))
    expires_from = FlexibleDateField(required=False, label=gettext_lazy("expires from"))
    expires_to = FlexibleDateField(required=False, label=gettext_lazy("expires to"))
    min_purchases = ShopMoneyField(required=False, label=gettext_lazy("minimum purchases"))
    purchases_from = FlexibleDateField(required=False, label=gettext_lazy("purchases from"))
    purchases_to = FlexibleDateField(required=False, label=gettext_lazy("purchases to"))
    member_code = forms.CharField(required=False, max_length=40, label=gettext_lazy("one member (code)"))
    days = forms.IntegerField(required=False, min_value=1, max_value=3650, label=gettext_lazy("days"))
    new_expires_on = FlexibleDateField(required=False, label=gettext_lazy("new expiry date"))
    inactive_since = FlexibleDateField(required=False, label=gettext_lazy("no purchase since"))
    target_status = forms.ChoiceField(
        required=False, choices=[(Member.Status.SUSPENDED, Member.Status.SUSPENDED.label), (Member.Status.CLOSED, Member.Status.CLOSED.label)],
        label=gettext_lazy("set status to"),
    )
    reason = forms.CharField(required=False, max_length=200, label=gettext_lazy("reason"))
    expected_count = forms.IntegerField(required=False, widget=forms.HiddenInput)

    FIELDS_BY_TOOL = {
        RENEW: ["member_code", "member_type_ids", "joined_from", "joined_to", "expires_from", "expires_to",
                "min_purchases", "purchases_from", "purchases_to", "reason"],
        EXTEND: ["days", "member_code", "member_type_ids", "expires_from", "expires_to", "reason"],
        SET_EXPIRY: ["new_expires_on", "member_code", "member_type_ids", "expires_from", "expires_to", "reason"],
        DEACTIVATE: ["inactive_since", "target_status", "member_type_ids", "reason"],
        ANONYMIZE: ["member_code", "member_type_ids", "expires_to", "reason"],
    }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        cast("forms.ModelMultipleChoiceField[MemberType]", self.fields["member_type_ids"]).queryset = (
            MemberType.objects.filter(organization=organization))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        code = cleaned.get("member_code")
        cleaned["member_id"] = None
        if code:
            member = member_lookup(self.organization.pk, code=code)
            if member is None:
                self.add_error("member_code", _("No member has this code."))
            else:
                cleaned["member_id"] = member.pk
        if cleaned.get("tool") == ANONYMIZE and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the data is erased (for the PDPA record)."))
        return cleaned

    def criteria(self) -> Criteria:
        c = self.cleaned_data
        return Criteria(
            member_ids=[c["member_id"]] if c.get("member_id") else [],
            member_type_ids=[t.pk for t in c.get("member_type_ids") or []],
            joined_from=c.get("joined_from"), joined_to=c.get("joined_to"),
            expires_from=c.get("expires_from"), expires_to=c.get("expires_to"),
            min_purchases=c.get("min_purchases"), purchases_from=c.get("purchases_from"), purchases_to=c.get("purchases_to"),
            days=c.get("days"), new_expires_on=c.get("new_expires_on"), inactive_since=c.get("inactive_since"),
            target_status=c.get("target_status") or Member.Status.SUSPENDED,
        )

    def visible_fields_for(self, tool: str) -> list[forms.BoundField]:
        return [self[name] for name in self.FIELDS_BY_TOOL.get(tool, [])]


class ImportForm(BoundedForm):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    valid_only = forms.BooleanField(required=False, label=gettext_lazy("Import valid rows only"))
    check_only = forms.BooleanField(required=False, label=gettext_lazy("Check only, import nothing"))
    update = forms.BooleanField(required=False, label=gettext_lazy("Update existing members (by member code)"),
                                help_text=gettext_lazy("Each row names a member by code; the file's columns "
                                                       "replace theirs, the others stay."))


class CustomFieldForm(BoundedModelForm):
    choices = forms.CharField(required=False, label=gettext_lazy("choices"),
                              help_text=gettext_lazy("For a choice field: the choices, separated by commas."))

    class Meta:
        model = CustomField
        fields = ["key", "label", "kind", "choices", "required", "sort_order"]
        labels = {"key": gettext_lazy("key"), "label": gettext_lazy("label"), "kind": gettext_lazy("kind"),
                  "required": gettext_lazy("required"), "sort_order": gettext_lazy("order")}
        help_texts = {"key": gettext_lazy("CSV column custom_<key>; letters, digits, - and _.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = ", ".join(self.instance.choices or [])

    def clean_choices(self) -> list[str]:
        return [c.strip() for c in (self.cleaned_data.get("choices") or "").split(",") if c.strip()]

    def _post_clean(self) -> None:
        """Uniqueness is the service's check (it knows the organization)."""
