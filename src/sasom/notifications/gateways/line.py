"""LINE Messaging API: a push message to a member's LINE user id (``line-bot-sdk``).

Every attempt of one message carries the same ``X-Line-Retry-Key`` (a UUID derived from the
organization and the message), so a retry after a timeout never delivers twice: LINE answers 409
to a key it already accepted, which counts as sent. The API address is the setting
``NOTIFY_LINE_API`` (tests point it at a fake on loopback). The channel secret verifies the
webhook's signatures (:mod:`sasom.notifications.line_webhook`)."""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from urllib3.exceptions import HTTPError

from sasom.notifications.backends import DeliveryError, Outgoing
from sasom.notifications.models import Channel

from .base import SECRET, TIMEOUT_SECONDS, URL, Delivery, Gateway, Option, Settings

RETRY_NAMESPACE = uuid.UUID("5a5e0c6e-7c1d-4d35-9d1e-2f0c3b8a9e11")
TEXT_LIMIT = 5000


def retry_key(organization_id: int, message_id: int) -> str:
    return str(uuid.uuid5(RETRY_NAMESPACE, f"{organization_id}:{message_id}"))


class LinePush(Gateway):
    key = "line"
    label = _("LINE Official Account (Messaging API)")
    channel = Channel.LINE
    options = (
        Option("access_token", _("Channel access token"), SECRET, max_length=500),
        Option("channel_secret", _("Channel secret"), SECRET, max_length=100),
        Option("add_friend_url", _("Add-friend link"), URL, required=False, max_length=200,
               help=_("https://line.me/R/ti/p/@yourshop — shown to members who link their LINE.")),
    )

    def send(self, outgoing: Outgoing, settings: Settings) -> Delivery:
        configuration = Configuration(host=django_settings.NOTIFY_LINE_API, access_token=settings.get("access_token"))
        request = PushMessageRequest(to=outgoing.recipient, messages=[TextMessage(text=outgoing.body[:TEXT_LIMIT])])
        key = retry_key(outgoing.organization_id, outgoing.message_id)
        try:
            with ApiClient(configuration) as client:
                answer = MessagingApi(client).push_message_with_http_info(
                    request, x_line_retry_key=key, _request_timeout=TIMEOUT_SECONDS,
                    _preload_content=False)  # 2xx is enough: the message went out
        except ApiException as error:
            status = error.status or 0
            headers = error.headers or {}
            if status == 409:  # this retry key was accepted before: the message went out
                return Delivery(provider_ref=str(headers.get("x-line-accepted-request-id", ""))[:100])
            retry = status in (0, 408, 429) or status >= 500
            raise DeliveryError(f"LINE {status}: {str(error.body)[:300]}", permanent=not retry) from None
        except (HTTPError, OSError) as error:
            raise DeliveryError(f"LINE unreachable: {error}") from None
        request_id = (answer.headers or {}).get("x-line-request-id", "")
        return Delivery(provider_ref=str(request_id)[:100])
