"""Back-office forms of messaging: a channel's gateway (built from the gateway's options) and a
test message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.members.models import Member
from sasom.organizations.models import Branch
from sasom.tiers.models import Tier

from .gateways import Gateway
from .gateways.base import BOOL, CHOICE, EMAIL, INT, JSON, SECRET, URL, Option
from .models import Channel

OPTION_PREFIX = "opt_"


def _field(option: Option, secret_set: bool) -> forms.Field:
    common: dict[str, Any] = {"label": option.label, "required": option.required, "help_text": option.help}
    if option.kind == SECRET:
        common["required"] = option.required and not secret_set
        if secret_set:
            common["help_text"] = _("Stored. Leave empty to keep it.")
        return forms.CharField(max_length=option.max_length, strip=True,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               **common)
    if option.kind == INT:
        return forms.IntegerField(min_value=1, max_value=65535, **common)
    if option.kind == BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if option.kind == CHOICE:
        return forms.ChoiceField(choices=option.choices, **common)
    if option.kind == EMAIL:
        return forms.EmailField(max_length=option.max_length, **common)
    if option.kind == URL:
        return forms.CharField(max_length=option.max_length, widget=forms.URLInput, **common)
    if option.kind == JSON:
        return forms.CharField(max_length=option.max_length, widget=forms.Textarea(attrs={"rows": 2}), **common)
    return forms.CharField(max_length=option.max_length, **common)


class ChannelConfigForm(BoundedForm):
    """The settings of one gateway; the service checks them again (and the API would too)."""

    cost_per_segment = forms.DecimalField(label=_("Cost per message part"), min_value=0, max_value=999999,
                                          max_digits=8, decimal_places=2, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, gateway: type[Gateway], secrets_set: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateway = gateway
        for option in gateway.options:
            self.fields[OPTION_PREFIX + option.name] = _field(option, option.name in secrets_set)
            if option.kind != SECRET and option.default != "" and OPTION_PREFIX + option.name not in self.initial:
                self.fields[OPTION_PREFIX + option.name].initial = option.default
        self.order_fields([OPTION_PREFIX + o.name for o in gateway.options] + ["cost_per_segment", "is_active"])

    def split(self) -> tuple[dict[str, Any], dict[str, str]]:
        options: dict[str, Any] = {}
        secrets: dict[str, str] = {}
        for option in self.gateway.options:
            value = self.cleaned_data.get(OPTION_PREFIX + option.name)
            if option.kind == SECRET:
                secrets[option.name] = value or ""
            else:
                options[option.name] = value
        return options, secrets


class TestMessageForm(BoundedForm):
    recipient = forms.CharField(label=_("Send a test to"), max_length=254,
                                help_text=_("A phone number, an e-mail address or a LINE user id, as the channel needs."))


class EventMessageForm(BoundedForm):
    is_active = forms.BooleanField(label=_("On"), required=False)
    subject_th = forms.CharField(label=_("Subject (Thai)"), max_length=200, required=False)
    body_th = forms.CharField(label=_("Text (Thai)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    body_en = forms.CharField(label=_("Text (English)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    days_before = forms.IntegerField(label=_("Days before the expiry date"), min_value=1, max_value=365, initial=30)
    date_field = forms.ChoiceField(label=_("Date field"), required=False,
                                   help_text=_("One of the member's date fields (Settings, custom fields)."))
    preview_member = forms.CharField(label=_("Preview with member (code or phone)"), max_length=40, required=False)

    def __init__(self, *args: Any, email: bool, expiring: bool, date_fields: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not email:
            del self.fields["subject_th"], self.fields["subject_en"]
        if not expiring:
            del self.fields["days_before"]
        if date_fields is None:
            del self.fields["date_field"]
        else:
            self.fields["date_field"].choices = [("", "—"), *date_fields]  # type: ignore[attr-defined]


class MessagingSettingsForm(BoundedForm):
    quiet_from = forms.TimeField(label=_("Quiet from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_until = forms.TimeField(label=_("Quiet until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    marketing_daily_cap = forms.IntegerField(label=_("Marketing messages per member per day"), min_value=0,
                                             max_value=100, help_text=_("0: no limit."))
    opt_out_keywords = forms.CharField(
        label=_("Opt-out words"), max_length=200,
        help_text=_("Separated by spaces. A member who texts one of these back withdraws marketing consent."))


MONTHS = [(i, i) for i in range(1, 13)]


class SegmentForm(BoundedForm):
    """The common segment conditions (``conditions()`` turns them into the segment builder's list),
    shared by broadcasts and mailing labels."""

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
    spent_from = forms.DateField(label=_("Spent from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    spent_to = forms.DateField(label=_("Spent until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    spent_at_least = forms.DecimalField(label=_("Spent at least"), required=False, min_value=0, max_digits=12,
                                        decimal_places=2)
    points_from = forms.DateField(label=_("Points earned from"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    points_to = forms.DateField(label=_("Points earned until"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    points_at_least = forms.IntegerField(label=_("Points earned at least"), required=False, min_value=0,
                                         max_value=100_000_000)
    custom_key = forms.CharField(label=_("Custom field (key)"), required=False, max_length=40)
    custom_value = forms.CharField(label=_("Custom field equals"), required=False, max_length=100)
    consent = forms.ChoiceField(label=_("Marketing consent"), required=False, choices=[
        ("", _("Any")), ("yes", _("Given")), ("no", _("Not given"))])
    last_purchase_before = forms.DateField(label=_("Last purchase before (lapsed)"), required=False,
                                           widget=forms.DateInput(attrs={"type": "date"}))
    last_purchase_after = forms.DateField(label=_("Last purchase on or after (active)"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, member_types: list[tuple[int, str]], organization_id: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_types"].choices = member_types  # type: ignore[attr-defined]  # a ChoiceField
        if organization_id is None:
            del self.fields["tiers"], self.fields["home_branches"]
        else:
            self.fields["tiers"].choices = list(  # type: ignore[attr-defined]  # a ChoiceField
                Tier.objects.filter(organization_id=organization_id).values_list("code", "name"))
            self.fields["home_branches"].choices = list(  # type: ignore[attr-defined]  # a ChoiceField
                Branch.objects.filter(organization_id=organization_id).values_list("pk", "name"))

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
        if (data.get("custom_key") or "").strip():
            out.append({"kind": "custom_field", "key": data["custom_key"].strip(),
                        "value": (data.get("custom_value") or "").strip()})
        if data.get("consent"):
            out.append({"kind": "marketing_consent", "granted": data["consent"] == "yes"})
        if data.get("last_purchase_before") or data.get("last_purchase_after"):
            out.append({"kind": "last_purchase", "before_on": data.get("last_purchase_before"),
                        "after_on": data.get("last_purchase_after")})
        return out


class BroadcastForm(SegmentForm):
    """A broadcast: its text and schedule, and the segment it goes to."""

    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=())
    scheduled_at = forms.DateTimeField(label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    body_th = forms.CharField(label=_("Text (Thai)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    body_en = forms.CharField(label=_("Text (English)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["name", "channel", "scheduled_at", "subject", "body_th", "body_en"]

    def __init__(self, *args: Any, member_types: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, member_types=member_types, **kwargs)
        self.fields["channel"].choices = Channel.choices  # type: ignore[attr-defined]  # a ChoiceField


class LabelsForm(SegmentForm):
    """Mailing labels: the sheet, where on it to start, and the segment."""

    layout = forms.ChoiceField(label=_("Label sheet or envelope"), choices=())
    return_branch = forms.TypedChoiceField(label=_("Return address (envelopes)"), coerce=int, required=False,
                                           choices=(), empty_value=None)
    start_at = forms.IntegerField(label=_("Start at label"), min_value=1, max_value=24, initial=1,
                                  help_text=_("To use a sheet already partly used."))
    consent_only = forms.BooleanField(label=_("Only members who consented to marketing"), required=False,
                                      initial=True)
    field_order = ["layout", "start_at", "return_branch", "consent_only"]

    def __init__(self, *args: Any, member_types: list[tuple[int, str]], layouts: list[tuple[str, Any]],
                 organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, member_types=member_types, organization_id=organization_id, **kwargs)
        self.fields["layout"].choices = layouts  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["return_branch"].choices = [("", "—"), *Branch.objects.filter(  # type: ignore[attr-defined]
            organization_id=organization_id).exclude(address="").values_list("pk", "name")]
