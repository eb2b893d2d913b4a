"""Headers on every answer: a Content-Security-Policy without inline script or style, a
Permissions-Policy that allows no device, and no-store wherever case data may be."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import complaint_filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(cast, category):
    return complaint_filed(category=category, subject_unit=cast.units.school)


@pytest.fixture
def case(filed):
    return filed[0]


STAFF_PAGES = ("/cases/", "/inbox/", "/org/units/")


def _pages(case) -> list[str]:
    return ["/", "/file/", "/track/", "/accounts/login/", *STAFF_PAGES, f"/cases/{case.pk}/"]


def test_every_page_carries_the_policies(client, cast, case):
    staff = Client()
    staff.force_login(cast.county_officer)
    for path in _pages(case):
        response = (staff if path in STAFF_PAGES or path.startswith("/cases/") else client).get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert "camera=()" in response["Permissions-Policy"], path
        assert "geolocation=()" in response["Permissions-Policy"], path


@pytest.mark.parametrize("who", ["officer", "anonymous"])
def test_answers_with_case_data_are_never_stored(client, cast, filed, who):
    case, code = filed
    api = APIClient()
    if who == "officer":
        client.force_login(cast.county_officer)
        api.force_authenticate(cast.county_officer)
        answers = [
            client.get(f"/cases/{case.pk}/"),
            client.get("/cases/"),
            api.get(f"/api/v1/complaints/{case.pk}/"),
            api.get("/api/v1/complaints/"),
            api.get(f"/api/v1/complaints/{case.pk}/history/"),
        ]
    else:
        tracked = client.post(reverse("complaints:complaint-track"), {"code": code}, follow=True)
        answers = [api.get(f"/api/v1/track/{code}/"), tracked]
    for response in answers:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
