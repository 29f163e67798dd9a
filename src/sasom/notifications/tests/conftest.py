from __future__ import annotations

import pytest

from sasom.notifications.tests.fakes import FakeHttp, FakeSmtp


@pytest.fixture
def fake_http():
    fake = FakeHttp().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def fake_smtp_server():
    fake = FakeSmtp().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_smtp(fake_smtp_server):
    fake_smtp_server.received.clear()
    fake_smtp_server.refuse.clear()
    return fake_smtp_server
