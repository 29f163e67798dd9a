"""Dashboard figures. Each app contributes through a cheap aggregate; nothing here loops."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def dashboard_figures(staff: Any) -> list[dict[str, Any]]:
    from sasom.members.models import Member

    org_id = staff.organization_id
    members = Member.objects.filter(organization_id=org_id)
    return [
        {"label": _("Members"), "value": members.count()},
        {"label": _("Active members"), "value": members.filter(status="active").count()},
    ]
