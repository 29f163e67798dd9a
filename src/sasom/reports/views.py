from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest
from sasom.reports.dashboard import dashboard_figures, points_chart


@require_perm("dashboard.view")
def dashboard(request: StaffRequest) -> HttpResponse:
    return render(request, "reports/dashboard.html", {
        "figures": dashboard_figures(request.staff), "chart": points_chart(request.staff),
    })
