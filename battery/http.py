"""Loopback HTTP clients for the load generators: one keep-alive session per connection."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from sasom.integrations.auth import hash_secret, signing_secret


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset)
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class Client:
    """A POS terminal: ``Authorization: Bearer`` with its key, JSON bodies, a bounded timeout."""

    def __init__(self, base_url: str, key: str, *, timeout: float = 30.0):
        if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
            raise ValueError("load generators run on loopback only")
        self.base = base_url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def call(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> Answer:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        try:
            r = self.session.request(method, self.base + path, data=data, headers=hdrs, timeout=self.timeout)
        except requests.RequestException:
            self.session.close()  # a broken keep-alive connection: open a new one next time
            return Answer(0, b"", {})
        return Answer(r.status_code, r.content, dict(r.headers))

    def signed(self, method: str, path: str, body: Any = None, *, skew: int = 0, nonce: str | None = None) -> Answer:
        """An HMAC-signed request (``integrations.auth.verify_signature``), ``skew`` seconds off."""
        data = json.dumps(body).encode() if body is not None else b""
        ts = str(int(time.time()) + skew)
        nonce = nonce or secrets.token_hex(12)
        secret = self.key.split("_", 2)[2]
        canonical = "\n".join([method, path, ts, nonce, hashlib.sha256(data).hexdigest()]).encode()
        sig = hmac.new(signing_secret(hash_secret(secret)).encode(), canonical, hashlib.sha256).hexdigest()
        return self.call(method, path, raw=data or None, headers={
            "X-Sasom-Signature": sig, "X-Sasom-Timestamp": ts, "X-Sasom-Nonce": nonce})

    def close(self) -> None:
        self.session.close()


def run_threads(count: int, target, *, timeout: float = 600.0) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Start ``count`` threads running ``target(i)``; wait; return the exceptions they raised."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def wrap(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        errors.append(TimeoutError(f"{sum(t.is_alive() for t in threads)} threads still running"))
    return errors


assert settings is not None  # signing needs the server's SECRET_KEY: the battery shares its settings
