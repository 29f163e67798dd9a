from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from sasom.api import api
from sasom.core import urls as core_urls
from sasom.reports import urls as reports_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("sasom.checkout.urls")),
    path("members/", include("sasom.members.urls")),
    path("catalog/prices/", include("sasom.catalog.urls_prices")),
    path("catalog/", include("sasom.catalog.urls")),
    path("org/", include("sasom.organizations.urls")),
    path("points/", include("sasom.ledger.urls")),
    path("rules/", include("sasom.earning.urls")),
    path("promotions/", include("sasom.promotions.urls")),
    path("rewards/", include("sasom.rewards.urls")),
    path("integrations/", include("sasom.integrations.urls")),
    path("messaging/", include("sasom.notifications.urls")),
    path("m/", include("sasom.portal.urls")),
    path("reports/", include("sasom.reports.urls")),
    # the dashboard moved to reports but keeps its name core:dashboard
    path("", include(([*reports_urls.core_urlpatterns, *core_urls.urlpatterns], core_urls.app_name))),
]

handler404 = "sasom.core.views.page_not_found"
handler500 = "sasom.core.views.server_error"

if not settings.PRODUCTION:
    # development and the demo: served media needs these, production never imports them
    from django.views.static import serve

    from sasom.core.permissions import public_view

    urlpatterns.append(
        path("media/<path:path>", public_view(serve), {"document_root": settings.MEDIA_ROOT})
    )
