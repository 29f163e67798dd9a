"""The benchmark's gunicorn servers can run side by side: each has its own control socket."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load import Server, _has_control_socket  # noqa: E402

# A WSGI application of a few lines (the harness's own start and stop are under test, not Django's)
APP = '''
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not _has_control_socket(), reason="this gunicorn opens no control socket")
def test_two_benchmark_servers_at_once_keep_their_own_control_sockets(tmp_path):
    # given two servers started the way the harness starts them, the second while the first runs
    (tmp_path / "tiny_app.py").write_text(APP)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    ports = [_free_port(), _free_port()]
    with Server(port=ports[0], workers=1, threads=1, env=env, log=tmp_path / "a.log", app="tiny_app:application",
                config=None) as a, \
            Server(port=ports[1], workers=1, threads=1, env=env, log=tmp_path / "b.log", app="tiny_app:application",
                config=None) as b:
        sockets = [a.control_socket, b.control_socket]
        deadline = time.monotonic() + 30
        while not all(p is not None and p.exists() for p in sockets) and time.monotonic() < deadline:
            time.sleep(0.1)
        # then each listens on its own socket, named by its port, in the run's folder, both at once
        logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
        assert sockets == [tmp_path / f"gunicorn-{ports[0]}.ctl", tmp_path / f"gunicorn-{ports[1]}.ctl"], logs
        assert all(p.is_socket() for p in sockets), logs
    # and each takes its own away when it stops
    assert not any(p.exists() for p in sockets)
