"""Portal test helpers: messages go to the in-memory backend and tasks run at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sasom.notifications.backends import MemoryBackend

PHONE_TYPED = "081-234-5678"  # the ``member`` fixture's +66812345678, written the Thai way


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemoryBackend.clear()
    yield MemoryBackend
    MemoryBackend.clear()


def last_code(phone: str) -> str:
    sent = MemoryBackend.to(phone)
    assert sent, f"no message to {phone}"
    return re.search(r"\b(\d{6})\b", sent[-1].body).group(1)


class Portal:
    """Drives the login of one browser (``client``) at ``/m/<org>/``."""

    def __init__(self, org, capture):
        self.org = org
        self.capture = capture
        self.base = f"/m/{org.code}/"

    def ask_code(self, client: Client, phone: str = PHONE_TYPED, **extra):
        with self.capture(execute=True):
            return client.post(f"{self.base}login/", {"phone": phone}, **extra)

    def type_code(self, client: Client, code: str):
        return client.post(f"{self.base}login/code/", {"code": code})

    def log_in(self, client: Client, member) -> Client:
        self.ask_code(client, member.phone)
        response = self.type_code(client, last_code(member.phone))
        assert response.status_code == 302 and response["Location"] == self.base, response
        return client


@pytest.fixture
def portal(org, django_capture_on_commit_callbacks) -> Portal:
    return Portal(org, django_capture_on_commit_callbacks)
