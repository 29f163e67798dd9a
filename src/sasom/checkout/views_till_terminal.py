"""The till's terminal: each browser chooses once which till or counter it is (a signed cookie),
among the terminals of the staff member's branches."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render

from sasom.checkout.forms import TerminalForm
from sasom.checkout.till import TERMINAL_COOKIE, TERMINAL_SALT
from sasom.core.permissions import ensure_branch_in_scope, require_perm
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Terminal
from sasom.rewards.views.common import terminals_for

COOKIE_AGE = 60 * 60 * 24 * 400  # a browser keeps its terminal about a year


def terminals_of(request: StaffRequest) -> QuerySet[Terminal]:
    """Tills and counters of the staff member's branches (an integration sends its own sales)."""
    return terminals_for(request).exclude(kind=Terminal.Kind.INTEGRATION)


def terminal_of(request: StaffRequest) -> Terminal | None:
    """The browser's terminal (its cookie), if still active and in the staff member's branches;
    with no choice made and a single terminal in scope, that one."""
    terminals = terminals_of(request)
    chosen = request.get_signed_cookie(TERMINAL_COOKIE, default=None, salt=TERMINAL_SALT)
    if chosen and str(chosen).isdigit():
        found = terminals.filter(pk=int(chosen)).first()
        if found is not None:
            return found
    only = list(terminals[:2])
    return only[0] if len(only) == 1 else None


def no_terminal() -> HttpResponse:
    response = redirect("checkout:till_terminal")
    response["HX-Redirect"] = response["Location"]
    return response


def terminal_remember(response: HttpResponse, request: StaffRequest, terminal: Terminal) -> HttpResponse:
    response.set_signed_cookie(TERMINAL_COOKIE, str(terminal.pk), salt=TERMINAL_SALT, max_age=COOKIE_AGE,
                               httponly=True, samesite="Lax", secure=request.is_secure())
    return response


@require_perm("points.earn")
def till_terminal(request: StaffRequest) -> HttpResponse:
    """Choose this browser's terminal (once; changeable from the screen)."""
    terminals = terminals_of(request)
    form = TerminalForm(request.POST or None, terminals=terminals,
                        initial={"terminal": getattr(terminal_of(request), "pk", None)})
    if request.method == "POST" and form.is_valid():
        terminal = form.cleaned_data["terminal"]
        ensure_branch_in_scope(request.staff, terminal.branch)
        return terminal_remember(redirect("checkout:till"), request, terminal)
    return render(request, "checkout/till_terminal.html", {"form": form, "none": not terminals.exists()})
