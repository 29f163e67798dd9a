from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sasom.integrations.auth import api_auth

router = Router(tags=["integration"], auth=api_auth)


class WhoAmI(Schema):
    organization_id: int
    key: str | None
    label: str
    branch_id: int | None
    terminal_id: int | None
    can_manage: bool


@router.get("/whoami", response=WhoAmI, summary="Check a key: who the API thinks you are")
def whoami(request: HttpRequest) -> WhoAmI:
    p = request.auth
    return WhoAmI(
        organization_id=p.organization_id, key=None if p.id is None else p.label, label=p.label,
        branch_id=p.branch_id, terminal_id=p.terminal_id, can_manage=p.can_manage,
    )
