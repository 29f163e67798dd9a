"""An unknown path under /api/ answers the API's JSON error; elsewhere the back office's page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/rewards/a%2Fb%0Ac/x", "/api/v2/members"])
def test_an_unknown_api_path_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_unknown_back_office_path_is_the_html_page(staff_client):
    response = staff_client("owner").get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
