"""Pages of the shop a broadcast can link to, offered by the apps that own them.

The portal's news live in ``portal``, which builds on messaging (its login codes and LINE link go
through it); so that messaging need not import the portal back, the portal registers its live
news here from its ``AppConfig.ready()`` (:func:`link_source_register`). A broadcast stores the
link it picked (its title and full address), so a news item edited or deleted later does not
change a message already scheduled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sasom.organizations.models import Organization


@dataclass(frozen=True)
class LinkTarget:
    key: str  # unique among the sources, e.g. "news:12"
    title: str
    url: str  # the full address a message carries


LinkSource = Callable[[Organization, dt.date], list[LinkTarget]]
_SOURCES: list[LinkSource] = []


def link_source_register(source: LinkSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def link_targets(organization: Organization, today: dt.date) -> list[LinkTarget]:
    """What a broadcast may link to on ``today`` (the organization's day), every source's in turn."""
    return [target for source in _SOURCES for target in source(organization, today)]


def link_target(organization: Organization, key: str, today: dt.date) -> LinkTarget | None:
    return next((t for t in link_targets(organization, today) if t.key == key), None)
