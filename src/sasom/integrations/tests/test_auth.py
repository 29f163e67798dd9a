"""API keys: hashed at rest, scoped, revocable, optionally HMAC-signed, rate limited."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.models import ApiKey
from sasom.integrations.services import api_key_create, api_key_revoke


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()
    yield
    auth._cache.clear()
    auth._buckets.clear()


class FrozenClock:
    """Stands in for the ``time`` module in ``integrations.auth``: the wall clock (signatures) and the
    monotonic clock (key cache, rate limit) stand still until a test moves them on."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    frozen = FrozenClock(1_790_000_000.25)  # a fraction of a second, as a real clock has
    monkeypatch.setattr(auth, "time", frozen)
    return frozen


@pytest.fixture
def issued(org, terminal):
    return api_key_create(organization_id=org.id, label="POS 1", actor=Actor.system(), terminal=terminal)


def sign(issued, method, path, body=b"", *, ts: int, nonce="nonce-0001"):
    """Headers signing a request at ``ts`` (whole seconds, from the test's frozen ``clock``)."""
    ts = str(ts)
    canonical = "\n".join([method, path, ts, nonce, hashlib.sha256(body).hexdigest()]).encode()
    sig = hmac.new(issued.signing_secret.encode(), canonical, hashlib.sha256).hexdigest()
    return {"HTTP_X_SASOM_TIMESTAMP": ts, "HTTP_X_SASOM_NONCE": nonce, "HTTP_X_SASOM_SIGNATURE": sig}


def test_key_is_stored_only_as_a_hash(issued):
    row = ApiKey.objects.get(pk=issued.api_key.pk)
    secret = issued.key.split("_", 2)[2]
    assert secret not in row.secret_hash
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_bearer_key_identifies_its_terminal(issued, terminal):
    response = Client().get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert response.status_code == 200
    body = response.json()
    assert body["terminal_id"] == terminal.id
    assert body["branch_id"] == terminal.branch_id
    assert body["can_manage"] is False


@pytest.mark.parametrize("header", ["", "Bearer nonsense", "Bearer sk_abc_def"])
def test_missing_or_wrong_key_is_401_with_code(db, header):
    response = Client().get("/api/v1/whoami", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_right_prefix_wrong_secret_is_refused(issued):
    prefix = issued.key.split("_")[1]
    response = Client().get("/api/v1/whoami", HTTP_X_API_KEY=f"sk_{prefix}_wrongsecret")
    assert response.status_code == 401


def test_revoked_key_is_refused_at_once_in_this_process(issued, django_capture_on_commit_callbacks):
    client = Client()
    assert client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        api_key_revoke(api_key=issued.api_key, actor=Actor.system())
    assert client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key).status_code == 401


def test_warm_key_costs_no_query(issued, django_assert_num_queries):
    client = Client()
    client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key)
    with django_assert_num_queries(0):
        assert client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key).status_code == 200


def test_signed_request_passes_and_its_replay_is_refused(issued, clock):
    client = Client()
    headers = sign(issued, "GET", "/api/v1/whoami", ts=int(clock.time()))
    assert client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key, **headers).status_code == 200
    replay = client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key, **headers)
    assert replay.status_code == 401
    assert replay.json()["code"] == auth.E_NONCE_REUSED


# The clock is frozen: a request signed 301 s ahead reaches the server exactly 301 s ahead, so the
# boundary itself is tested (a real clock moves on during the request and truncates to whole seconds).
@pytest.mark.parametrize("skew", [301, -301, 3600, -3600])
def test_signature_with_clock_skew_over_300s_is_refused(issued, clock, skew):
    headers = sign(issued, "GET", "/api/v1/whoami", ts=int(clock.time()) + skew)
    response = Client().get("/api/v1/whoami", HTTP_X_API_KEY=issued.key, **headers)
    assert response.status_code == 401
    assert response.json()["code"] == auth.E_SIGNATURE_EXPIRED


@pytest.mark.parametrize("skew", [299, -299, 0])
def test_signature_within_300s_passes(issued, clock, skew):
    # the server's clock is at .25 of a second: 299 s ahead by the client's whole seconds is 298.75 s
    headers = sign(issued, "GET", "/api/v1/whoami", ts=int(clock.time()) + skew, nonce=f"nonce-{skew:+05d}")
    response = Client().get("/api/v1/whoami", HTTP_X_API_KEY=issued.key, **headers)
    assert response.status_code == 200


def test_tampered_signature_is_refused(issued, clock):
    headers = sign(issued, "GET", "/api/v1/whoami", ts=int(clock.time()))
    headers["HTTP_X_SASOM_SIGNATURE"] = "0" * 64
    response = Client().get("/api/v1/whoami", HTTP_X_API_KEY=issued.key, **headers)
    assert response.json()["code"] == auth.E_SIGNATURE_INVALID


def test_key_that_requires_signature_refuses_unsigned(org):
    issued = api_key_create(organization_id=org.id, label="ERP", actor=Actor.system(), require_signature=True)
    response = Client().get("/api/v1/whoami", HTTP_X_API_KEY=issued.key)
    assert response.status_code == 401
    assert response.json()["code"] == auth.E_SIGNATURE_REQUIRED


def test_rate_limit_answers_429_with_retry_after(org, clock):
    issued = api_key_create(organization_id=org.id, label="tiny", actor=Actor.system(), rate_limit_per_minute=3)
    client = Client()
    codes = [client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key)
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


def test_rate_limit_refills_at_the_keys_rate(org, clock):
    # given a key allowed 60 requests a minute that has used them all at one instant
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), rate_limit_per_minute=60)
    client = Client()

    def call() -> int:
        return client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key).status_code

    assert [call() for _ in range(60)] == [200] * 60
    assert call() == 429
    # when 2 seconds pass (a token a second)
    clock.advance(2)
    # then exactly 2 more requests pass and the third is refused, asked to wait a second
    assert [call(), call()] == [200, 200]
    response = client.get("/api/v1/whoami", HTTP_X_API_KEY=issued.key)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    # when half a second passes, then still nothing; after another second, one more
    clock.advance(0.5)
    assert call() == 429
    clock.advance(1)
    assert call() == 200


def test_staff_session_may_use_the_api(staff_client):
    client = staff_client("cashier")
    response = client.get("/api/v1/whoami")
    assert response.status_code == 200
    assert response.json()["key"] is None


def test_api_keys_screen_is_for_admins_only(staff_client, branch):
    assert staff_client("cashier").get("/integrations/api-keys/").status_code == 403
    assert staff_client("marketing").get("/integrations/api-keys/").status_code == 403
    admin = staff_client("admin")
    response = admin.post("/integrations/api-keys/", {"label": "POS 9", "branch": branch.id, "rate_limit_per_minute": 600})
    assert response.status_code == 200
    key = response.context["issued"].key
    assert Client().get("/api/v1/whoami", HTTP_X_API_KEY=key).status_code == 200
