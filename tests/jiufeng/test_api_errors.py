"""Every error under /api/ is JSON {"detail"} in the request's language; pages keep HTML."""

import pytest
from django.test import Client, RequestFactory

from jiufeng import errors
from responsibility.api.units import UnitListView

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/complaints/1/no-such-thing/", "/api/nothing"])
@pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("zh-hans", "未找到。")])
def test_an_unknown_api_path_is_a_json_404_in_the_requests_language(client, path, language, detail):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}
    assert detail.encode() in response.content


def test_an_unknown_api_path_is_json_whatever_the_method(client):
    response = client.post("/api/v1/no-such-thing/", {"x": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_path_is_json_with_debug_on_as_make_run_serves(settings, method):
    settings.DEBUG = True
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "未找到。"}


def test_an_api_path_without_its_slash_is_still_redirected(client):
    response = client.get("/api/v1/categories")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/categories/")


def test_an_unknown_page_keeps_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    # A path merely starting with "api" is a page, not the API.
    assert client.get("/apiary/")["Content-Type"].startswith("text/html")


def test_an_object_not_found_by_an_api_view_does_not_name_its_model(cast, client):
    client.force_login(cast.county_officer)
    response = client.get("/api/v1/visits/999999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (response.status_code, response.json()) == (404, {"detail": "未找到。"})


def test_an_unknown_open311_path_keeps_the_georeport_error(client):
    response = client.get("/open311/v2/no-such-thing.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == [{"code": 404, "description": "There is no such GeoReport v2 resource."}]
    assert client.get("/open311/v2/no-such-thing.xml")["Content-Type"].startswith(("application/xml", "text/xml"))


def test_a_server_error_in_the_api_is_json(cast, client, monkeypatch):
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(UnitListView, "get_queryset", broken)
    client.force_login(cast.county_officer)
    response = client.get("/api/v1/units/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_server_error_under_open311_is_the_specs_error_not_a_page(client, cast, monkeypatch, fmt):
    from complaints.open311 import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "category_list_public", broken)
    client.raise_request_exception = False
    response = client.get(f"/open311/v2/services.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    if fmt == "json":
        assert response.json() == [{"code": 500, "description": "A server error occurred."}]
    else:
        assert response["Content-Type"].startswith("text/xml")
        assert b"<errors><error><code>500</code>" in response.content


def test_a_bad_request_to_the_api_is_json(client):
    # Django refuses a Host it does not serve (SuspiciousOperation) before any view runs.
    response = client.get("/api/v1/categories/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Malformed request."}
    page = client.get("/", HTTP_HOST="evil.example")
    assert (page.status_code, page["Content-Type"].startswith("text/html")) == (400, True)


def test_a_refusal_outside_the_api_views_is_json_under_api():
    request = RequestFactory().get("/api/v1/anything/")
    response = errors.permission_denied(request, exception=None)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    page = errors.permission_denied(RequestFactory().get("/cases/"), exception=None)
    assert (page.status_code, page["Content-Type"].startswith("text/html")) == (403, True)
