"""HTTP load generator (threads, ``http.client`` keep-alive, loopback only), the gunicorn server
under test, and CPU accounting of the PostgreSQL processes via /proc."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.workload import basket_lines

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        values = sorted(self.latencies_ms)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _bodies(client_no: int, phones: list[str], count: int, run_tag: str):
    rng = random.Random(client_no * 7919 + 1)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for i in range(count):
        body = {"receipt_id": f"L{run_tag}-{client_no}-{i}", "occurred_at": now,
                "member": {"phone": phones[rng.randrange(len(phones))]}, "lines": basket_lines(rng)}
        yield json.dumps(body).encode()


def run_load(*, port: int, keys: list[str], phones: list[str], clients: int, seconds: float,
             max_requests: int = 1_000_000, warmup: float = 1.0, path: str = "/api/v1/sales") -> LoadResult:
    """``clients`` threads, one keep-alive connection each, POST ``path`` (the sales API, or the
    framework's floor with the same bodies) for ``seconds`` (after ``warmup`` seconds that are not
    counted)."""
    result = LoadResult()
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds
    tag = str(int(time.time() * 1000) % 10_000_000)
    per_client = max_requests // clients + 1

    def worker(no: int) -> None:
        key = keys[no % len(keys)]
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Connection": "keep-alive"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = errors = 0
        lat: list[float] = []
        samples: list[str] = []
        for body in _bodies(no, phones, per_client, tag):
            now = time.monotonic()
            if now >= stop_at:
                break
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, data = 0, repr(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - t) * 1000
            if now < start_at:
                continue
            if status == 201:
                ok += 1
                lat.append(elapsed)
            else:
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{status} {data[:200]!r}")
        conn.close()
        with lock:
            result.ok += ok
            result.errors += errors
            result.latencies_ms.extend(lat)
            result.error_samples.extend(samples)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = seconds
    return result


@dataclass
class Measured:
    """One load on a running server: the answers, and the CPU per answered request of the server
    (its master and workers) and of PostgreSQL (None without a cluster)."""
    result: LoadResult
    app_cpu_ms: float
    pg_cpu_ms: float | None
    load_average: float


def measured_load(server: Server, *, setup: dict, clients: int, seconds: float, postmaster: int | None,
                  path: str = "/api/v1/sales") -> Measured:
    """B1's measurement on ``server`` (started): 1.5 s of warm-up that is not counted, then
    ``seconds`` of load with the CPU read from ``/proc`` before and after."""
    assert server.proc is not None
    run_load(port=server.port, keys=setup["keys"], phones=setup["phones"], clients=clients, seconds=1.0,
             warmup=0.5, path=path)
    pg0 = pg_cpu_seconds(postmaster) if postmaster is not None else 0.0
    app0 = process_cpu_seconds(server.proc.pid)
    load_average = os.getloadavg()[0]
    res = run_load(port=server.port, keys=setup["keys"], phones=setup["phones"], clients=clients,
                   seconds=seconds, warmup=0.0, path=path)
    pg1 = pg_cpu_seconds(postmaster) if postmaster is not None else 0.0
    app1 = process_cpu_seconds(server.proc.pid)
    n = max(1, res.ok)
    return Measured(res, 1000 * (app1 - app0) / n, 1000 * (pg1 - pg0) / n if postmaster is not None else None,
                    load_average)


# ------------------------------------------------------------------------------------ server


class Server:
    """gunicorn with gthread workers, as ``sasom serve`` runs it (its ``--config``, no access log:
    the benchmark measures the application, not log writing).

    gunicorn (25.1 and later) opens a control socket at one fixed path per user unless told
    otherwise, so two servers at once (two benchmark runs side by side) would take each other's:
    each server gets its own, named by its port, beside its log in the run's temporary folder."""

    def __init__(self, *, port: int, workers: int, threads: int, env: dict[str, str], log: Path,
                 app: str = "sasom.wsgi:application", config: str | None = "python:sasom.gunicorn_conf"):
        self.port = port
        self.cmd = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
                    "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
                    "--keep-alive", "30", "--backlog", "256"]
        if config:
            self.cmd += ["--config", config]
        self.control_socket: Path | None = None
        if _has_control_socket():
            self.control_socket = log.parent / f"gunicorn-{port}.ctl"
            self.cmd += ["--control-socket", str(self.control_socket)]
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self._log = open(self.log, "ab")
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + float(os.environ.get("SASOM_BENCH_START_SECONDS", "90"))
        while time.monotonic() < deadline:
            try:
                # a cheap endpoint (the OpenAPI schema takes seconds of CPU to build on a loaded machine)
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/api/v1/version")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see {self.log}") from None
                time.sleep(0.2)
        self.__exit__()  # not left running behind the error
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        raise RuntimeError(f"gunicorn did not start within the wait; its log ends:\n{tail}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _has_control_socket() -> bool:
    """Whether the installed gunicorn knows ``--control-socket`` (added in 25.1; older ones open
    no control socket and would refuse the option)."""
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket" for setting in KNOWN_SETTINGS)


# ------------------------------------------------------------------------------------ CPU


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2:].split()  # fields from 3 (state) on


def pg_cpu_seconds(postmaster_pid: int) -> float:
    """CPU of the whole cluster so far: the postmaster's own and reaped children's time plus the
    live children's time (backends that exit are counted through the postmaster's cutime)."""
    fields = _stat(postmaster_pid)
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            f = _stat(int(entry))
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
        if int(f[1]) == postmaster_pid:
            ticks += int(f[11]) + int(f[12])
    return ticks / CLK_TCK


def pg_cpu_settled(postmaster_pid: int, wait: float = 10.0) -> float:
    """``pg_cpu_seconds`` once the backends of clients that just disconnected (pgbench's) have
    been reaped: an exited backend not yet reaped is in neither the live children nor the
    postmaster's ``cutime``, so a reading taken at once can miss all of their CPU."""
    deadline = time.monotonic() + wait
    last = pg_cpu_seconds(postmaster_pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = pg_cpu_seconds(postmaster_pid)
        if abs(now - last) < 0.02:
            return now
        last = now
    return last


def process_cpu_seconds(pid: int) -> float:
    """CPU of ``pid`` and its live children (gunicorn master + workers)."""
    total = 0
    f = _stat(pid)
    total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                c = _stat(int(entry))
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue
            if int(c[1]) == pid:
                total += int(c[11]) + int(c[12])
    return total / CLK_TCK
