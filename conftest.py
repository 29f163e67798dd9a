"""Fixtures every test may use: an organization with two branches, staff of every role, the same
organization as a toman shop."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasom.organizations.models import Role, Staff
from sasom.testing.factories import (
    BranchFactory,
    MemberFactory,
    MemberTypeFactory,
    OrganizationFactory,
    StaffFactory,
    TerminalFactory,
)

PASSWORD = "pass-1234-word"


def pytest_configure(config: pytest.Config) -> None:
    """Tests hash with MD5: PBKDF2's deliberate slowness would dominate every staff fixture.
    (Only the tests' settings change; hashing is Django's, which the hasher does not alter.)"""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Scenarios are dated on fixed days that grow older as the calendar moves on: no back-posting
    # window unless a test sets one (checkout/tests/test_sale_checks.py does).
    settings.SALE_BACKPOST_DAYS = None
    settings.SALE_BATCH_BACKPOST_DAYS = None


@pytest.fixture
def org(db):
    return OrganizationFactory(code="minimart", name="มินิมาร์ท")


@pytest.fixture
def toman_org(org):
    """``org`` as a Persian shop keeps its money: Iranian rial stored, amounts typed and shown in
    toman (1 toman = 10 rial; docs/decisions/0009-currency.md)."""
    org.currency, org.amounts_in_toman = "IRR", True
    org.save(update_fields=["currency", "amounts_in_toman"])
    return org


@pytest.fixture
def other_org(db):
    return OrganizationFactory(code="othershop", name="ร้านอื่น")


@pytest.fixture
def branch(org):
    return BranchFactory(organization=org, code="B1", name="สาขาสุขุมวิท")


@pytest.fixture
def branch2(org):
    return BranchFactory(organization=org, code="B2", name="สาขาสีลม")


@pytest.fixture
def terminal(branch):
    return TerminalFactory(organization=branch.organization, branch=branch, code="B1-T1")


@pytest.fixture
def member_type(org):
    return MemberTypeFactory(organization=org, code="GEN", name="ทั่วไป", is_default=True)


@pytest.fixture
def member(org, member_type):
    return MemberFactory(organization=org, member_type=member_type, code="M0000001", phone="+66812345678")


@pytest.fixture
def make_staff(org, branch) -> Callable[..., Staff]:
    def make(role: str = Role.ADMIN, branches=None, organization=None, username=None) -> Staff:
        organization = organization or org
        if branches is None and role in (Role.BRANCH_MANAGER, Role.CASHIER, Role.SERVICE_COUNTER):
            branches = [branch]
        kwargs = {"organization": organization, "role": role, "branches": branches or []}
        if username:
            kwargs["user__username"] = username
        return StaffFactory(**kwargs)

    return make


@pytest.fixture
def staff_client(make_staff) -> Callable[..., Client]:
    """A test client logged in as a new staff member of ``role``; ``client.staff`` is that staff."""

    def make(role: str = Role.ADMIN, **kwargs) -> Client:
        staff = make_staff(role, **kwargs)
        client = Client()
        client.force_login(staff.user, backend="django.contrib.auth.backends.ModelBackend")
        client.staff = staff
        return client

    return make


@pytest.fixture
def admin_client_sasom(staff_client) -> Client:
    return staff_client(Role.ADMIN)


@pytest.fixture(autouse=True)
def _pricing_cache_cleared():
    """Each scenario reads its own pricing settings: the till's per-process cache is keyed by
    organization id, and ids come round again once a test's rows are rolled back."""
    from sasom.catalog.prices import pricing_forget_all  # noqa: PLC0415  # imported once Django is set up

    pricing_forget_all()
    yield
    pricing_forget_all()


@pytest.fixture(autouse=True)
def _tier_ladder_cache_cleared():
    """The tier ladder is cached per process (tiers.selectors.ladder_for), keyed by organization
    id, and ids come round again once a test's rows are rolled back."""
    from sasom.tiers.selectors import ladder_forget  # noqa: PLC0415  # imported once Django is set up

    ladder_forget()
    yield
    ladder_forget()

