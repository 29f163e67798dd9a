"""Which of a message's texts a member gets: the one place that chooses (events, the daily job's
messages and broadcasts all call :func:`text_choose`).

A message is written in up to three languages (Thai, English, Persian). A member gets the text of
their own language (``Member.language``) when the shop wrote it; else the organization's
language; else English; else Thai. The chosen text's language also decides how the values put
into it are written (dates in the organization's calendar, :func:`sasom.core.dates.shop_date`)."""

from __future__ import annotations

from collections.abc import Mapping

from sasom.members.models import Member
from sasom.organizations.models import Organization

MESSAGE_LANGUAGES = ("th", "en", "fa")  # the languages a message text may be written in
FALLBACK = ("en", "th")  # after the member's and the organization's


def language_base(code: str | None) -> str:
    """``en-us`` -> ``en``; a language messages are not written in -> ``""``."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in MESSAGE_LANGUAGES else ""


def language_order(organization: Organization, member: Member | None = None) -> list[str]:
    """The languages to try, best first: the member's, the organization's, English, Thai."""
    wanted = [language_base(member.language) if member is not None else "", language_base(organization.language),
              *FALLBACK]
    order: list[str] = []
    for code in wanted:
        if code and code not in order:
            order.append(code)
    return order


def member_language(organization: Organization, member: Member | None = None) -> str:
    """The language a member reads: their own when they chose one, else the organization's."""
    return language_order(organization, member)[0]


def texts_of(row: object, prefix: str = "body") -> dict[str, str]:
    """A row's texts by language: ``{"th": row.body_th, "en": row.body_en, "fa": row.body_fa}``."""
    return {code: str(getattr(row, f"{prefix}_{code}", "") or "") for code in MESSAGE_LANGUAGES}


def text_choose(organization: Organization, member: Member | None, texts: Mapping[str, str]) -> tuple[str, str]:
    """``(language, text)``: the first language of :func:`language_order` whose text
    (``texts[language]``) is written; ``("", "")`` when none is."""
    for language in language_order(organization, member):
        text = texts.get(language) or ""
        if text.strip():
            return language, text
    return "", ""
