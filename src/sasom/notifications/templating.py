"""Message templates: ``{placeholder}`` names replaced by a member's values.

Only the names listed by the event may be used (an unknown one is refused when the template is
saved, naming the field); a value is plain text, never markup or a format spec, so a template
cannot reach into Python objects as ``str.format`` would."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from sasom.core.dates import shop_date
from sasom.core.errors import DomainError

from .errors import E_TEMPLATE

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def template_check(text: str, allowed: Iterable[str], *, field: str) -> None:
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(allowed))
    if unknown:
        raise DomainError(E_TEMPLATE, _("Unknown placeholder: %(names)s. Use: %(allowed)s.") % {
            "names": ", ".join("{" + n + "}" for n in unknown),
            "allowed": ", ".join("{" + n + "}" for n in allowed)}, field=field)


def template_render(text: str, values: Mapping[str, object]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def date_text(day: dt.date | None, *, language: str, organization: object) -> str:
    """A date as the shop writes it, in the organization's calendar: ``31/12/2569`` in Thai with
    Buddhist-era years, ``1405/09/07`` Jalali, else ISO (``core.dates.shop_date``, as the back
    office's ``{% shopdate %}``)."""
    return shop_date(day, organization, language=language)
