"""R7: deploy checks with production settings, signed requests off by more than 300 s or
replayed, requests for another tenant's data, and 101 failed logins."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from battery.security import r7_cross_tenant, r7_login_throttle, r7_signing, victim_data
from battery.shop import shop_create

from sasom.core.audit import Actor
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Sale
from sasom.members.models import Member
from sasom.rewards.models import Redemption

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_with_production_settings_has_no_warning(tmp_path):
    # given the settings a production server runs with
    # (a test process may carry DJANGO_ALLOW_ASYNC_UNSAFE from the browser tests: not production)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SASOM_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(SASOM_PRODUCTION="1", SASOM_SECRET_KEY=secrets.token_urlsafe(50),
               SASOM_ALLOWED_HOSTS="loyalty.example.com", SASOM_DATA_DIR=str(tmp_path))
    # when Django's deployment checklist runs, failing on any warning
    run = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # then it finds nothing
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_another_organization_and_another_branch_see_nothing(shop, live_server):
    # given a member with points, a sale and a redemption at branch 1, and a coupon
    victim = victim_data(shop)
    before = (Member.objects.get(code=victim["member"]).first_name, Sale.objects.filter(status="voided").count(),
              Redemption.objects.filter(status="cancelled").count())
    intruder = shop_create("intruder", terminals_per_branch=1)
    # when a key of another organization and a terminal key of branch 2 ask for it 200 times
    result = r7_cross_tenant(live_server.url, victim, other_org_key=intruder.keys[0],
                             other_branch_key=shop.keys[-1], requests_total=200)
    # then every request is refused (403/404) and nothing changed
    assert result["leaks"] == [], result
    assert result["refused"] == result["requests"] == 200
    after = (Member.objects.get(code=victim["member"]).first_name, Sale.objects.filter(status="voided").count(),
             Redemption.objects.filter(status="cancelled").count())
    assert after == before


def test_another_branch_key_cannot_read_a_redemption_slip(shop, live_server):
    # given a redemption slip of branch 1
    victim = victim_data(shop)
    # when branch 2's terminal key reads it 20 times
    result = r7_cross_tenant(live_server.url, victim, other_org_key=shop.keys[-1], other_branch_key=shop.keys[-1],
                             requests_total=40, only="other_branch GET /api/v1/redemptions/")
    # then it is not found, as for a cashier of branch 2
    assert result["requests"] == 20
    assert result["leaks"] == [], result


def test_skewed_and_replayed_signatures_are_refused(shop, live_server):
    # given a terminal key that must sign its requests
    victim = victim_data(shop)
    key = api_key_create(organization_id=shop.organization.id, label="signed", actor=Actor.system(),
                         terminal=shop.terminals[0], require_signature=True, rate_limit_per_minute=100000).key
    # when it sends 20 requests with the clock 301 s or more off, and replays 20 nonces
    result = r7_signing(live_server.url, key, victim["member"], skewed=20, replays=20)
    # then a good signature works; every skewed, replayed or unsigned request is refused
    assert result["baseline_status"] == 200, result
    assert result["first_use_statuses"] == {200: 20}, result
    assert result["skewed_refused"] == 20 and result["replays_refused"] == 20, result
    assert result["unsigned_status"] == 401


def test_a_hundred_and_one_failed_logins_lock_the_account(live_server, make_staff, settings):
    # given a staff account
    staff = make_staff("admin", username="somsri")
    staff.user.set_password("right-horse-battery-9")
    staff.user.save()
    # when someone tries 101 wrong passwords within the hour
    result = r7_login_throttle(live_server.url, "somsri", "right-horse-battery-9", attempts=101)
    # then the account is locked after the limit, and even the right password is refused now
    assert result["locked_from_attempt"] == settings.AXES_FAILURE_LIMIT, result
    assert result["right_password_refused"], result


pytestmark = pytest.mark.django_db(transaction=True)


def test_a_logged_in_member_gets_nothing_of_other_members(shop, live_server):
    # given a victim with points, a sale, a redemption and a coupon, and a member logged into the portal
    from battery.security import portal_attacker, r7_member

    from sasom.members.models import Consent
    from sasom.rewards.models import Coupon

    victim = victim_data(shop)
    attacker = portal_attacker(shop, victim)
    intruder = shop_create("intruder-m", terminals_per_branch=1)
    other = victim_data(intruder)
    other_coupon_pk = str(Coupon.objects.get(organization=intruder.organization, code=other["coupon"]).pk)
    # when the member asks 200 times for others' coupons, files, points, exports and another shop's portal
    result = r7_member(live_server.url, attacker, victim, other_org=intruder.organization.code,
                       other_coupon_pk=other_coupon_pk, requests_total=200)
    # then every request is refused while the session itself stays valid, and nothing changed
    assert result["session_alive"], result
    assert result["leaks"] == [], result
    assert result["refused"] == result["requests"] == 200
    assert set(result["statuses"]) <= {"401", "403", "404", "302 login"}, result
    assert result["own_export_clean"], result
    assert not Consent.objects.exists()
