"""The benchmark's framework floor (``integrations/api_floor.py``) exists only when asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

PROBE = (
    "import django, json; django.setup()\n"
    "from django.conf import settings\n"
    "from django.urls import Resolver404, resolve\n"
    "try:\n"
    "    resolve('/api/v1/bench/floor'); found = True\n"
    "except Resolver404:\n"
    "    found = False\n"
    "print(json.dumps({'setting': settings.BENCH_FLOOR, 'found': found}))\n"
)


def _probe(**env: str) -> dict[str, bool]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SASOM_BENCH_FLOOR", "SASOM_PRODUCTION")}
    clean.update(DJANGO_SETTINGS_MODULE="sasom.settings", SASOM_SECRET_KEY="x" * 50, **env)
    proc = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_the_floor_is_not_served_by_default(org, terminal):
    # given a valid POS key, as the benchmark uses, and the settings of every server (no bench flag)
    auth._cache.clear()
    issued = api_key_create(organization_id=org.id, label="POS 1", actor=Actor.system(), terminal=terminal)
    body = json.dumps({"receipt_id": "R1", "lines": [{"sku": "A", "quantity": "1", "unit_price": "10.00"}]})
    # when it posts to the floor
    response = Client().post("/api/v1/bench/floor", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    auth._cache.clear()
    # then there is no such endpoint
    assert response.status_code == 404


def test_the_floor_is_mounted_only_by_its_setting_and_never_in_production():
    assert _probe() == {"setting": False, "found": False}
    assert _probe(SASOM_BENCH_FLOOR="1") == {"setting": True, "found": True}
    assert _probe(SASOM_BENCH_FLOOR="1", SASOM_PRODUCTION="1") == {"setting": False, "found": False}
