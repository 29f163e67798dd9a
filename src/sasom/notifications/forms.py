"""Back-office forms of messaging: a channel's gateway (built from the gateway's options), a test
message, event messages, broadcasts and mailing labels (the last two on the shared
:class:`~sasom.segments.forms.SegmentForm`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateTimeField
from sasom.core.forms_money import ShopMoneyField
from sasom.organizations.models import Branch
from sasom.segments.forms import SegmentForm

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

    cost_per_segment = ShopMoneyField(label=_("Cost per message part"), max_value=999999, max_digits=8,
                                      decimal_places=2, initial=0)
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
    subject_fa = forms.CharField(label=_("Subject (Persian)"), max_length=200, required=False,
                                 widget=forms.TextInput(attrs={"dir": "rtl", "lang": "fa"}))
    body_fa = forms.CharField(label=_("Text (Persian)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "fa"}))
    days_before = forms.IntegerField(label=_("Days before the expiry date"), min_value=1, max_value=365, initial=30)
    date_field = forms.ChoiceField(label=_("Date field"), required=False,
                                   help_text=_("One of the member's date fields (Settings, custom fields)."))
    preview_member = forms.CharField(label=_("Preview with member (code or phone)"), max_length=40, required=False)

    def __init__(self, *args: Any, email: bool, expiring: bool, date_fields: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not email:
            del self.fields["subject_th"], self.fields["subject_en"], self.fields["subject_fa"]
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


class BroadcastForm(SegmentForm):
    """A broadcast: its text and schedule, and the segment it goes to."""

    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=())
    scheduled_at = ShopDateTimeField(label=_("Send at"))
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=200, required=False)
    body_th = forms.CharField(label=_("Text (Thai)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    body_en = forms.CharField(label=_("Text (English)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    body_fa = forms.CharField(label=_("Text (Persian)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "fa"}))
    news = forms.ChoiceField(label=_("Link to a portal news item"), required=False, choices=(),
                             help_text=_("Its link fills {news_link} in the text, or is added at the end."))
    field_order = ["name", "channel", "scheduled_at", "subject", "body_th", "body_en", "body_fa", "news"]

    def __init__(self, *args: Any, member_types: list[tuple[int, str]], links: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, member_types=member_types, **kwargs)
        self.fields["channel"].choices = Channel.choices  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["news"].choices = [("", "—"), *(links or [])]  # type: ignore[attr-defined]  # a ChoiceField


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
