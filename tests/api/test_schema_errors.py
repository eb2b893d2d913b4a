"""What schemathesis found, each kept by a test of its own: the errors the schema documents, and
the inputs that answered 500."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def responses(schema, path, method):
    return schema["paths"][path][method]["responses"]


def test_staff_operations_document_no_credentials_refusal_and_out_of_scope(schema):
    detail = responses(schema, "/api/v1/complaints/{id}/", "get")
    assert {"200", "401", "403", "404"} <= set(detail)
    assert detail["404"] == {"$ref": "#/components/responses/NotFound"}
    found = schema["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"]
    assert found["required"] == ["detail"]


def test_a_list_documents_its_refused_filters_and_pages_past_the_last(schema):
    assert {"400", "401", "403", "404"} <= set(responses(schema, "/api/v1/complaints/", "get"))


def test_actions_document_their_conflict_and_bodies_their_size_and_type(schema):
    transition = responses(schema, "/api/v1/complaints/{id}/transitions/{name}/", "post")
    assert {"400", "409", "413", "415"} <= set(transition)


def test_public_operations_document_no_authentication(schema):
    # Anyone may file: no 401 or 403 to expect; its limit (429) is documented.
    filing = responses(schema, "/api/v1/complaints/", "post")
    assert "401" not in filing and "403" not in filing
    assert "429" in filing


def test_tracking_by_header_requires_the_header_and_documents_unknown_codes_and_limits(schema):
    operation = schema["paths"]["/api/v1/track/"]["get"]
    header = next(p for p in operation["parameters"] if p["name"] == "X-Tracking-Code")
    assert header["required"] is True
    assert {"400", "404", "429"} <= set(operation["responses"])
    deprecated = schema["paths"]["/api/v1/track/{code}/"]["get"]
    assert [p["name"] for p in deprecated["parameters"]] == ["code"]


def test_open311_documents_its_error_list_in_both_formats(schema):
    operation = schema["paths"]["/open311/v2/tokens/{token}.{response_format}"]["get"]
    assert {"400", "404", "429"} <= set(operation["responses"])
    assert "format" not in [p["name"] for p in operation["parameters"]]
    limited = schema["components"]["responses"]["Open311TooManyRequests"]["content"]
    assert set(limited) == {"text/xml", "application/json"}
    assert limited["application/json"]["schema"]["type"] == "array"


def test_a_request_without_a_socket_address_is_counted_not_a_server_error():
    # A server on a Unix socket sets REMOTE_ADDR empty: every per-address limit answered 500.
    client = APIClient(REMOTE_ADDR="")
    response = client.get("/api/v1/track/", HTTP_X_TRACKING_CODE="JF-NOPE-NOPE-NOPE-NOPE")
    assert response.status_code == 404
    assert client.get("/api/v1/appraisal/NOPE/").status_code == 404


@pytest.mark.parametrize("body", ["null", "[]", "42", '"JF"'])
def test_a_json_body_that_is_not_an_object_is_refused(body):
    response = APIClient().post("/api/v1/track/messages/", body, content_type="application/json")
    assert response.status_code == 400
    assert "tracking_code" in response.json()
