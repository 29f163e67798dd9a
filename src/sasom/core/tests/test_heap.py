"""A gunicorn worker settles its heap once the application is loaded (``sasom.core.heap``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sasom import cli, gunicorn_conf

ROOT = Path(__file__).resolve().parents[4]

WORKER = """
import gc, json, sys
import django
django.setup()
from sasom.wsgi import application
before = {"frozen": gc.get_freeze_count(), "urls": "sasom.urls" in sys.modules}
from sasom import gunicorn_conf
gunicorn_conf.post_worker_init(None)
after = {"frozen": gc.get_freeze_count(), "urls": "sasom.urls" in sys.modules}
class Node:
    pass
a, b = Node(), Node()
a.other, b.other = b, a
del a, b
print(json.dumps({"before": before, "after": after, "collected": gc.collect()}))
"""


def test_a_worker_freezes_what_is_alive_once_the_url_conf_is_loaded(tmp_path):
    # given a process with the application loaded as gunicorn loads it, before its first request
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SASOM_", "DJANGO_", "DATABASE_URL"))}
    env.update(SASOM_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="sasom.settings", PYTHONPATH=str(ROOT / "src"))
    # when gunicorn's hook runs in the worker
    result = subprocess.run([sys.executable, "-c", WORKER], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # then the URL conf (every app's views, the API) was imported first and then everything alive frozen
    assert seen["before"] == {"frozen": 0, "urls": False}
    assert seen["after"]["urls"] is True
    assert seen["after"]["frozen"] > 50_000
    # and garbage made afterwards is still collected (the two objects of the cycle and their dicts)
    assert seen["collected"] >= 2


def test_serve_hands_gunicorn_the_settings_module(monkeypatch, tmp_path):
    # given `sasom serve` with gunicorn's start replaced by a look at what it was given
    seen: dict[str, list[str]] = {}
    monkeypatch.setattr(sys, "argv", ["sasom"])
    monkeypatch.setattr(cli, "_django_setup", lambda: None)
    monkeypatch.setattr(cli, "_manage", lambda *argv: None)
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: seen.setdefault("argv", list(sys.argv)))
    # when it serves
    cli.serve(["--no-migrate", "--no-worker", "--bind", "127.0.0.1:0"])
    # then gunicorn reads this project's settings module, whose worker hook is the heap's
    argv = seen["argv"]
    assert argv[argv.index("--config") + 1] == "python:sasom.gunicorn_conf"
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.setattr(sys, "argv", argv)
    app = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
    assert app.cfg.post_worker_init is gunicorn_conf.post_worker_init

