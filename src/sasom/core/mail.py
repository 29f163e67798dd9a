"""E-mail to staff and other people who are not members (a saved report on its schedule): through
the organization's own e-mail channel when the messaging app has registered how to reach it, else
through the deployment's Django e-mail backend (``EMAIL_*``, ``DEFAULT_FROM_EMAIL``).

Core may not import the messaging app; the app registers a *connection finder* at start-up
(:func:`connection_finder_register`), as the other registries do (docs/architecture.md, "Layers
and the event stream").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

# organization id -> (an e-mail connection, the sender address), or None when it has no channel
ConnectionFinder = Callable[[int], "tuple[Any, str] | None"]
_finders: list[ConnectionFinder] = []


def connection_finder_register(finder: ConnectionFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def organization_email(*, organization_id: int, subject: str, body: str, to: Iterable[str],
                       attachments: Iterable[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """An e-mail from the organization, ready to ``send()``; ``attachments`` are (name, content,
    MIME type)."""
    connection, sender = None, settings.DEFAULT_FROM_EMAIL
    for finder in _finders:
        found = finder(organization_id)
        if found is not None:
            connection, sender = found
            break
    email = EmailMessage(subject=subject, body=body, from_email=sender, to=list(to), connection=connection)
    for name, content, mime in attachments:
        email.attach(name, content, mime)
    return email
