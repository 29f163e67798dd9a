"""B11: a broadcast to 10,000 members through the worker's own steps, with its progress and its
delivery report (issue 16's "done when"), against a reference in the same run.

``python -m bench.broadcast --members 10000`` (the database ``DATABASE_URL`` names, else the
embedded SQLite of ``SASOM_DATA_DIR``: use a throwaway one). In an organization of its own:
``members`` members with a phone and marketing consent (bulk insert), a Thai SMS broadcast to all
of them, then:

1. the worker's batches (``broadcast_run_batch``, the body of ``broadcast_run_task``), 600 members
   a batch as ``NOTIFY_BROADCAST_PER_MINUTE`` says, the progress read after each (processed of
   selected) — one minute of the worker's clock apart, run back to back here;
2. each message delivered (``message_deliver``, the body of ``message_deliver_task``) through the
   in-memory gateway (which answers no reference: each message then gets one, as a real
   gateway's answer gives);
3. the gateway's delivery reports for every message (``delivery_reports_apply``: 9 in 10 delivered,
   1 in 10 undelivered), then the broadcast's report;
4. the reference: the same number of message rows written with one ``bulk_create`` (the floor of
   queuing them, without templates, consent, quiet hours, caps or keys).

Prints one JSON object on its last line: times, the ratio of queuing to the reference, the
progress steps and the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasom.settings")

ORG_CODE = "BENCH-BROADCAST"


def _build(members: int) -> tuple[Any, Any]:
    from sasom.members.models import Member, MemberType
    from sasom.organizations.models import Organization

    org, _ = Organization.objects.get_or_create(code=ORG_CODE, defaults={"name": "ร้านทดสอบ"})
    Member.objects.filter(organization=org).delete()
    mt, _ = MemberType.objects.get_or_create(organization=org, code="GEN", defaults={"name": "general"})
    today = dt.date(2026, 1, 1)
    Member.objects.bulk_create([
        Member(organization=org, member_type=mt, code=f"B{i:07d}", phone=f"+6690{i:07d}", first_name=f"สมาชิก{i}",
               marketing_consent=True, joined_on=today) for i in range(members)], batch_size=2000)
    return org, mt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from sasom.core.audit import Actor
    from sasom.notifications.backends import MemoryBackend
    from sasom.notifications.broadcasts import (
        broadcast_create,
        broadcast_report,
        broadcast_run_batch,
    )
    from sasom.notifications.inbound import delivery_reports_apply
    from sasom.notifications.models import Message, MessagingSettings
    from sasom.notifications.services import message_deliver

    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    org, _mt = _build(args.members)
    # a working hour, no daily cap: the broadcast is not held back by the shop's rules
    MessagingSettings.objects.update_or_create(organization=org, defaults={"marketing_daily_cap": 0})
    now = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)  # 11:00 in Bangkok
    broadcast = broadcast_create(organization=org, name="bench", channel="sms", body_th="{shop}: คุณ{name} ลด 10% วันนี้",
                                 body_en="", subject="", conditions=[], scheduled_at=now, actor=Actor.system("bench"))

    started = time.perf_counter()
    progress = []
    minute = 0
    while True:
        done = broadcast_run_batch(broadcast_id=broadcast.pk, now=now + dt.timedelta(minutes=minute))
        minute += 1
        assert done is not None
        progress.append([done.processed, done.selected])
        if done.status != "sending":
            break
    queued_s = time.perf_counter() - started

    ids = list(Message.objects.filter(broadcast_id=broadcast.pk).values_list("pk", flat=True))
    started = time.perf_counter()
    for message_id in ids:
        message_deliver(message_id=message_id, now=now + dt.timedelta(minutes=minute))
    delivered_s = time.perf_counter() - started
    MemoryBackend.clear()

    # the in-memory gateway gives no reference: give each message one, as an SMS gateway's answer does
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    Message.objects.filter(broadcast_id=broadcast.pk).update(
        provider_ref=Concat(Value("GW"), Cast("id", output_field=CharField())))
    refs = list(Message.objects.filter(broadcast_id=broadcast.pk).order_by("pk").values_list("provider_ref", flat=True))
    reports = [{"message_id": ref, "status": "UNDELIV" if i % 10 == 9 else "DELIVRD", "error": "absent"}
               for i, ref in enumerate(refs)]
    started = time.perf_counter()
    for i in range(0, len(reports), 1000):
        delivery_reports_apply(organization=org, items=reports[i:i + 1000])
    reports_s = time.perf_counter() - started
    report = broadcast_report(broadcast)

    started = time.perf_counter()
    with transaction.atomic():
        Message.objects.bulk_create([
            Message(organization=org, channel="sms", recipient=f"+6691{i:07d}", purpose="reference", body="x",
                    event_key=f"reference:{i}") for i in range(args.members)], batch_size=2000)
        transaction.set_rollback(True)
    reference_s = time.perf_counter() - started

    print(json.dumps({
        "members": args.members, "batches": len(progress), "progress_first_last": [progress[0], progress[-1]],
        "queue_s": round(queued_s, 2), "deliver_s": round(delivered_s, 2), "reports_s": round(reports_s, 2),
        "reference_bulk_insert_s": round(reference_s, 2), "queue_over_reference": round(queued_s / reference_s, 1),
        "report": {"sent": report.sent, "delivered": report.delivered, "failed": report.failed,
                   "skipped": report.skipped, "parts": report.parts, "reasons": report.reasons},
    }))


if __name__ == "__main__":
    main()
