"""Sealing a message's clear text for the trip through the task queue.

The database holds the outbox and the queue, and must never hold a one-time code in clear. The
worker still needs the clear text to hand it to the SMS gateway, so it travels sealed: encrypted
with a keystream of HMAC-SHA256 blocks (HMAC as a pseudo-random function in counter mode) under a
key derived from ``SECRET_KEY``, with a fresh 16-byte nonce, then authenticated with a second
derived key (encrypt-then-MAC). Only the standard library is needed; a sealed text is wiped from
the outbox as soon as the message is sent or given up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

NONCE_BYTES = 16
TAG_BYTES = 32


class SealBroken(ValueError):
    """The sealed text was altered, or sealed under another ``SECRET_KEY``."""


def _key(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"sasom.notifications.seal.{purpose}".encode(), hashlib.sha256).digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key = _key("encrypt")
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def seal(text: str) -> str:
    data = text.encode("utf-8")
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(nonce, len(data)), strict=True))
    tag = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode("ascii")


def unseal(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SealBroken("not a sealed text") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealBroken("too short")
    nonce, tag, cipher = raw[:NONCE_BYTES], raw[NONCE_BYTES:NONCE_BYTES + TAG_BYTES], raw[NONCE_BYTES + TAG_BYTES:]
    expected = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SealBroken("tag mismatch")
    return bytes(a ^ b for a, b in zip(cipher, _keystream(nonce, len(cipher)), strict=True)).decode("utf-8")
