"""Member codes: the organization's pattern, its sequence, and free codes one at a time or for
a whole import."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sasom.core.errors import Conflict, DomainError
from sasom.members.errors import CODE_PATTERN_INVALID  # noqa: F401  (codes live in errors.py)
from sasom.organizations.models import Branch, Organization, Sequence

from ..models import Member, MemberCodeChange
from ..validation import CODE_TAKEN, code_check

MEMBER_CODE_SEQUENCE = "member_code"


def format_member_code(pattern: str, *, seq: int, on: dt.date, branch: Branch | None) -> str:
    try:
        return pattern.format(
            seq=seq, yy=f"{on.year % 100:02d}", yyyy=f"{on.year:04d}", mm=f"{on.month:02d}",
            branch=branch.code if branch else "",
        )
    except (KeyError, IndexError, ValueError):
        raise DomainError(
            CODE_PATTERN_INVALID, _("The organization's member code pattern is not valid."), field="code"
        ) from None


def sequence_take(*, organization_id: int, name: str, count: int = 1) -> int:
    """Reserve ``count`` numbers; returns the first. The row is locked, then bumped with F()."""
    Sequence.objects.get_or_create(organization_id=organization_id, name=name)
    seq = Sequence.objects.select_for_update().get(organization_id=organization_id, name=name)
    Sequence.objects.filter(pk=seq.pk).update(value=F("value") + count)
    seq.refresh_from_db(fields=["value"])
    return seq.value - count + 1


@transaction.atomic
def member_code_next(*, organization: Organization, on: dt.date, branch: Branch | None = None) -> str:
    """The next free code from the organization's pattern (skips codes typed by staff)."""
    for _attempt in range(50):
        seq = sequence_take(organization_id=organization.pk, name=MEMBER_CODE_SEQUENCE)
        code = format_member_code(organization.member_code_pattern, seq=seq, on=on, branch=branch)
        if not code_check(organization_id=organization.pk, code=code):
            return code
    raise Conflict(CODE_TAKEN, _("Could not find a free member code; check the code pattern."), field="code")


@transaction.atomic
def member_codes_reserve(
    *, organization: Organization, wanted: list[tuple[dt.date, Branch | None]], also_taken: set[str] | None = None
) -> list[str]:
    """Free codes for many new members at once (the import): one sequence bump for the lot.

    ``wanted`` gives each member's join date and home branch (the pattern may use them);
    ``also_taken`` holds codes typed elsewhere in the same batch.
    """
    if not wanted:
        return []
    pattern = organization.member_code_pattern
    first = sequence_take(organization_id=organization.pk, name=MEMBER_CODE_SEQUENCE, count=len(wanted))
    codes = [format_member_code(pattern, seq=first + i, on=on, branch=b) for i, (on, b) in enumerate(wanted)]
    taken = set(also_taken or ()) | _codes_taken(organization.pk, codes)
    out: list[str] = []
    for code, (on, branch) in zip(codes, wanted, strict=True):
        if code in taken:
            code = member_code_next(organization=organization, on=on, branch=branch)
            while code in taken:
                code = member_code_next(organization=organization, on=on, branch=branch)
        taken.add(code)
        out.append(code)
    return out


def _codes_taken(organization_id: int, codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), 1000):
        part = codes[i : i + 1000]
        found |= set(Member.objects.filter(organization_id=organization_id, code__in=part).values_list("code", flat=True))
        found |= set(
            MemberCodeChange.objects.filter(organization_id=organization_id, old_code__in=part).values_list("old_code", flat=True)
        )
    return found


__all__ = [
    "CODE_PATTERN_INVALID",
    "MEMBER_CODE_SEQUENCE",
    "format_member_code",
    "sequence_take",
    "member_code_next",
    "member_codes_reserve",
]
