"""An organization's gateways: saving a channel's configuration (secrets sealed) and reading it
back for delivery.

Secrets are sealed as one JSON object (:mod:`sasom.notifications.seal`); a form that leaves a
secret empty keeps the stored one, so a screen never needs to show it. The audit trail names the
options changed and says a secret changed, never its value."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.core.money import is_cents
from sasom.members.validation import normalize_phone
from sasom.organizations.models import Organization

from .errors import E_CHANNEL, E_COST, E_GATEWAY, E_OPTION_INVALID, E_OPTION_MISSING, E_RECIPIENT
from .gateways import GATEWAYS, Gateway, Settings
from .gateways.base import BOOL, EMAIL, INT, JSON, SECRET, URL, Option
from .gateways.smtp import Smtp
from .models import Channel, ChannelConfig, Message
from .seal import SealBroken, seal, unseal

MAX_COST = Decimal("999999.99")


def _clean_option(option: Option, value: Any) -> Any:
    field = option.name
    if option.kind == BOOL:
        return bool(value)
    if value is None or value == "":
        if option.required:
            raise DomainError(E_OPTION_MISSING, _("%(label)s is required.") % {"label": option.label}, field=field)
        return option.default if option.kind != SECRET else ""
    if option.kind == INT:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(E_OPTION_INVALID, _("%(label)s must be a whole number.") % {"label": option.label}, field=field) from None
        if not 1 <= number <= 65535:
            raise DomainError(E_OPTION_INVALID, _("%(label)s must be between 1 and 65535.") % {"label": option.label}, field=field)
        return number
    text = str(value).strip()
    if len(text) > option.max_length:
        raise DomainError(E_OPTION_INVALID, _("%(label)s is longer than %(n)d characters.") % {"label": option.label, "n": option.max_length}, field=field)
    if option.choices and text not in {c for c, _ in option.choices}:
        raise DomainError(E_OPTION_INVALID, _("%(label)s: not one of the choices.") % {"label": option.label}, field=field)
    try:
        if option.kind == URL:
            URLValidator(schemes=["http", "https"])(text.replace("{key}", "key"))
        elif option.kind == EMAIL:
            EmailValidator()(text)
    except ValidationError:
        raise DomainError(E_OPTION_INVALID, _("%(label)s is not a valid address.") % {"label": option.label}, field=field) from None
    if option.kind == JSON:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise DomainError(E_OPTION_INVALID, _("%(label)s must be a JSON object.") % {"label": option.label}, field=field)
    return text


def _stored_secrets(config: ChannelConfig | None) -> dict[str, str]:
    if config is None or not config.sealed_secrets:
        return {}
    try:
        data = json.loads(unseal(config.sealed_secrets))
    except (SealBroken, ValueError):
        return {}  # sealed under another SECRET_KEY: the shop types the secrets again
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@transaction.atomic
def channel_config_save(
    *, organization_id: int, channel: str, gateway: str, options: dict[str, Any], secrets: dict[str, str],
    cost_per_segment: Decimal | str | int = 0, is_active: bool = True, actor: Actor,
) -> ChannelConfig:
    """Create or replace the organization's gateway for ``channel``. A secret given empty keeps the
    stored one (when the gateway stays the same); a required secret never given is refused."""
    if channel not in Channel.values:
        raise DomainError(E_CHANNEL, _("Unknown channel."), field="channel")
    kind = GATEWAYS.get(gateway)
    if kind is None or kind.channel != channel:
        raise DomainError(E_GATEWAY, _("This gateway does not serve this channel."), field="gateway")
    try:
        cost = Decimal(str(cost_per_segment))
    except InvalidOperation:
        raise DomainError(E_COST, _("The cost must be an amount."), field="cost_per_segment") from None
    if not cost.is_finite() or cost < 0 or cost > MAX_COST or not is_cents(cost):
        raise DomainError(E_COST, _("The cost must be an amount from 0 with at most two decimals."), field="cost_per_segment")
    config = ChannelConfig.objects.select_for_update().filter(organization_id=organization_id, channel=channel).first()
    kept = _stored_secrets(config) if config is not None and config.gateway == gateway else {}
    unknown = set(options) - {o.name for o in kind.options if o.kind != SECRET}
    unknown |= set(secrets) - set(kind.secret_names())
    if unknown:
        raise DomainError(E_OPTION_INVALID, _("Unknown settings: %(names)s.") % {"names": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    clean_options: dict[str, Any] = {}
    clean_secrets: dict[str, str] = {}
    changed_secrets: list[str] = []
    for option in kind.options:
        if option.kind == SECRET:
            given = (secrets.get(option.name) or "").strip()
            if given:
                changed_secrets.append(option.name)
            value = given or kept.get(option.name, "")
            if option.required and not value:
                raise DomainError(E_OPTION_MISSING, _("%(label)s is required.") % {"label": option.label}, field=option.name)
            if len(value) > option.max_length:
                raise DomainError(E_OPTION_INVALID, _("%(label)s is too long.") % {"label": option.label}, field=option.name)
            if value:
                clean_secrets[option.name] = value
        else:
            clean_options[option.name] = _clean_option(option, options.get(option.name))
    before = {"gateway": config.gateway, "options": config.options, "is_active": config.is_active,
              "cost_per_segment": str(config.cost_per_segment)} if config else {}
    if config is None:
        config = ChannelConfig(organization_id=organization_id, channel=channel)
    config.gateway = gateway
    config.options = clean_options
    config.sealed_secrets = seal(json.dumps(clean_secrets)) if clean_secrets else ""
    config.cost_per_segment = cost
    config.is_active = is_active
    config.save()
    after = {"gateway": gateway, "options": clean_options, "is_active": is_active, "cost_per_segment": str(cost)}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    changes.update({f"secret.{name}": ["", ""] for name in changed_secrets})
    audit_record(organization_id=organization_id, actor=actor, action="notify.channel_save", obj=config,
                 changes=changes, redact=frozenset(f"secret.{name}" for name in changed_secrets))
    return config


def channel_settings(config: ChannelConfig) -> tuple[type[Gateway], Settings]:
    """A configuration as its gateway reads it (secrets unsealed)."""
    return GATEWAYS[config.gateway], Settings(options=dict(config.options), secrets=_stored_secrets(config))


def secrets_set(config: ChannelConfig | None) -> set[str]:
    """Names of the secrets stored (a screen says "set" without showing them)."""
    return {k for k, v in _stored_secrets(config).items() if v}


TEST_PURPOSE = "channel_test"
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


def recipient_clean(*, channel: str, recipient: str, region: str) -> str:
    """A recipient as the channel needs it: an E.164 phone, an e-mail address, a LINE user id."""
    text = (recipient or "").strip()
    if channel == Channel.SMS:
        try:
            return normalize_phone(text, region or "TH")
        except DomainError as error:
            raise DomainError(E_RECIPIENT, error.message, field="recipient") from None
    if channel == Channel.EMAIL:
        try:
            EmailValidator()(text)
        except ValidationError:
            raise DomainError(E_RECIPIENT, _("Enter an e-mail address."), field="recipient") from None
        return text
    if channel == Channel.LINE:
        if not LINE_USER_ID.match(text):
            raise DomainError(E_RECIPIENT, _("A LINE user id is U followed by 32 hexadecimal digits."), field="recipient")
        return text
    raise DomainError(E_CHANNEL, _("Unknown channel."), field="channel")


@transaction.atomic
def channel_test_send(*, organization: Organization, channel: str, recipient: str, actor: Actor) -> Message:
    """Queue a short test message through the channel's gateway (or the fallback backend)."""
    address = recipient_clean(channel=channel, recipient=recipient, region=organization.phone_region)
    with translation.override(organization.language or "th"):
        body = _("%(shop)s: a test message from Sasom. The %(channel)s gateway works.") % {
            "shop": organization.name, "channel": Channel(channel).label}
        subject = _("Test message")
    from .services import message_send  # services reads this module's channel_settings

    message = message_send(organization_id=organization.pk, channel=channel, recipient=address, purpose=TEST_PURPOSE,
                           body=body, subject=str(subject))
    audit_record(organization_id=organization.pk, actor=actor, action="notify.channel_test", obj=message,
                 changes={"channel": [None, channel]})
    return message


def organization_connection(organization_id: int) -> tuple[Any, str] | None:
    """The organization's active SMTP channel as (connection, sender), for ``core.mail`` (staff
    e-mail such as scheduled reports); None without one (the deployment's backend is used then)."""
    config = ChannelConfig.objects.filter(organization_id=organization_id, channel=Channel.EMAIL,
                                          gateway=Smtp.key, is_active=True).first()
    if config is None:
        return None
    return Smtp.connection(channel_settings(config)[1])
