"""Webhooks: signed JSON to a loopback receiver, retries with backoff, give-up, resend."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.integrations import webhooks
from sasom.integrations.models import WebhookDelivery
from sasom.integrations.services import webhook_endpoint_create


class Receiver:
    """A fake endpoint on 127.0.0.1 that answers with the next queued status code."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), {"raw": body}))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    webhooks._endpoints.clear()
    yield
    webhooks._endpoints.clear()


def test_event_is_signed_and_delivered(org, receiver):
    # given an endpoint that wants points.earned
    endpoint = webhook_endpoint_create(organization_id=org.id, url=receiver.url, events=["points.earned"], actor=Actor.system())
    # when an event is emitted and its delivery attempted
    assert webhooks.event_emit(organization_id=org.id, event_type="points.earned", data={"points": 40}) == 1
    assert webhooks.event_emit(organization_id=org.id, event_type="member.created", data={}) == 0
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    # then the receiver got JSON it can verify with the endpoint's secret
    headers, body = receiver.received[0]
    raw = body["raw"]
    assert json.loads(raw)["data"] == {"points": 40}
    assert headers["X-Sasom-Event"] == "points.earned"
    ts, mac = (part.split("=", 1)[1] for part in headers["X-Sasom-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_failures_back_off_then_give_up_and_resend_works(org, receiver):
    webhook_endpoint_create(organization_id=org.id, url=receiver.url, events=[], actor=Actor.system())
    webhooks.event_emit(organization_id=org.id, event_type="member.created", data={"code": "M1"})
    delivery = WebhookDelivery.objects.get()
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    # when the receiver fails every time
    gaps = []
    for _ in range(webhooks.MAX_ATTEMPTS):
        before = timezone.now()
        d = webhooks.webhook_deliver(delivery_id=delivery.pk)
        if d.next_attempt_at:
            gaps.append(d.next_attempt_at - before)
    delivery.refresh_from_db()
    # then waits grow and the delivery is finally given up
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert gaps[0] < gaps[1] < gaps[2]
    assert max(gaps) <= dt.timedelta(hours=6, seconds=5)
    # and a manual resend delivers it
    webhooks.webhook_resend(delivery=delivery)
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_retry_sweep_only_takes_due_deliveries(org):
    webhook_endpoint_create(organization_id=org.id, url="http://127.0.0.1:9/closed", events=[], actor=Actor.system())
    webhooks.event_emit(organization_id=org.id, event_type="points.expired", data={})
    # the first attempt fails (nothing listens on port 9) and schedules a retry in the future
    assert webhooks.webhooks_retry_due() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_error
    assert webhooks.webhooks_retry_due() == 0
    assert webhooks.webhooks_retry_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1)) == 1


def test_unknown_event_type_is_refused(org):
    from sasom.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        webhook_endpoint_create(organization_id=org.id, url="https://erp.example/hook", events=["nope"], actor=Actor.system())
    assert err.value.code == "unknown_event"


def test_webhook_screen_is_for_admins(staff_client):
    assert staff_client("marketing").get("/integrations/webhooks/").status_code == 403
    assert staff_client("owner").get("/integrations/webhooks/").status_code == 200


def test_services_announce_members_and_points(org, member_type, branch, terminal):
    # given an endpoint listening to everything
    import datetime as dt
    from decimal import Decimal

    from sasom.earning import engine
    from sasom.earning.services import rule_create
    from sasom.ledger.services import sale_post, sale_void
    from sasom.members.services import member_register

    webhook_endpoint_create(organization_id=org.id, url="http://127.0.0.1:9/x", events=[], actor=Actor.system())
    rule_create(organization_id=org.pk, actor=Actor.system(), code="BASE", name="base", kind="base",
                params={"per_amount": "100", "points": 1})
    # when a member registers, buys and the sale is voided
    member = member_register(organization=org, actor=Actor.system(), data={"phone": "+66812345678", "member_type": member_type})
    basket = engine.Basket(
        occurred_at=dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC),
        lines=(engine.BasketLine(line_no=1, sku="1", quantity=Decimal(1), unit_price=Decimal("500")),),
    )
    result = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R1", basket=basket,
                       member=member, actor=Actor.system())
    sale_void(sale=result.sale, reason="test", actor=Actor.system())
    # then each step was queued for delivery, with the member's code and signed points
    events = list(WebhookDelivery.objects.order_by("id").values_list("event_type", "payload"))
    assert [e for e, _ in events] == ["member.created", "points.earned", "points.reversed"]
    assert events[1][1]["data"]["points"] == 5 and events[1][1]["data"]["member"] == member.code
    assert events[2][1]["data"]["points"] == -5
    assert "+66812345678" not in json.dumps([p for _, p in events])
