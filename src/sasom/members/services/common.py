"""What the member services share: refusing changes to an erased member, locking the row, and
saving with a unique clash named by its field."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sasom.core.errors import Conflict, DomainError

from ..models import Member
from ..validation import CARD_TAKEN, CODE_TAKEN, PHONE_TAKEN

MEMBER_ANONYMIZED = "member.anonymized"


def _raise_first(errors: list[DomainError]) -> None:
    if errors:
        raise errors[0]


def _save_guarded(obj: Any, **kwargs: Any) -> None:
    """Save; a unique clash that slipped past the checks (two counters at once) names its field."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        text = str(exc).lower()
        if "unique" not in text and "duplicate" not in text:
            raise
        if "phone" in text:
            raise Conflict(PHONE_TAKEN, _("Another member already has this phone number."), field="phone") from None
        if "number" in text or "card" in text:
            raise Conflict(CARD_TAKEN, _("This card number is already in use."), field="card_number") from None
        raise Conflict(CODE_TAKEN, _("Another member already has this code."), field="code") from None


def _ensure_not_anonymized(member: Member) -> None:
    if member.status == Member.Status.ANONYMIZED:
        raise DomainError(MEMBER_ANONYMIZED, _("This member's data was erased; it cannot be changed."))


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


__all__ = [
    "MEMBER_ANONYMIZED",
    "_raise_first",
    "_save_guarded",
    "_ensure_not_anonymized",
    "_locked",
]
