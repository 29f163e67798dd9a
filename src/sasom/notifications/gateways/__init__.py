"""The real gateways, one module per kind, registered in one explicit table.

A gateway belongs to one channel; an organization picks one per channel
(:class:`~sasom.notifications.models.ChannelConfig`), its secrets sealed at rest. Forms, the
service that saves a configuration and the delivery read :data:`GATEWAYS`."""

from __future__ import annotations

from .base import Delivery, Gateway, Option, Settings
from .http_post import HttpPost
from .line import LinePush
from .smtp import Smtp
from .thaibulksms import ThaiBulkSms

GATEWAYS: dict[str, type[Gateway]] = {g.key: g for g in (Smtp, ThaiBulkSms, HttpPost, LinePush)}


def gateways_for(channel: str) -> list[type[Gateway]]:
    return [g for g in GATEWAYS.values() if g.channel == channel]


__all__ = ["GATEWAYS", "Delivery", "Gateway", "Option", "Settings", "gateways_for"]
