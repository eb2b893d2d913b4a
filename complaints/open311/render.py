"""GeoReport v2 documents: XML (the required format) and JSON, and errors in the spec's form.

JSON follows the spec's Spark mapping of the XML: a document that is a list in JSON is a
container element of items in XML (``services`` of ``service``, ``service_requests`` of
``request``, ...). XML is built with xml.etree, which escapes every text; characters XML 1.0
cannot carry at all (control characters) are dropped first, so no input can break a document.
"""

import re
import xml.etree.ElementTree as ET

from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework import exceptions, renderers, status
from rest_framework.views import exception_handler

# The element of each item of a container (GeoReport v2, Service Discovery).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def xml_document(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


class XMLRenderer(renderers.BaseRenderer):
    """The document's root element is the view's ``xml_root``, or ``errors`` for an error."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = renderer_context["response"]
        root = "errors" if response.exception else renderer_context["view"].xml_root
        return xml_document(root, data)


class JSONRenderer(renderers.JSONRenderer):
    charset = "utf-8"


def _descriptions(detail) -> list[str]:
    """Every message of a DRF error detail; a field's messages are prefixed with its name."""
    if isinstance(detail, dict):
        if set(detail) == {"detail"}:
            return _descriptions(detail["detail"])
        return [f"{field}: {text}" for field, messages in detail.items() for text in _descriptions(messages)]
    if isinstance(detail, list):
        return [text for item in detail for text in _descriptions(item)]
    return [str(detail)]


# The spec's HTTP statuses: 404 for what does not exist, 403 for a missing or wrong api_key,
# 400 for anything else; the body's code may be more specific (405, 415). 429 says "slow down".
KEPT_STATUSES = {status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND, status.HTTP_429_TOO_MANY_REQUESTS}


def open311_exception_handler(exc, context):
    """DRF's handling, answered as GeoReport v2 errors: [{"code", "description"}]."""
    if isinstance(exc, SuspiciousOperation):
        # Django refusing an oversized or malformed body: the client's error, answered in kind.
        exc = exceptions.ParseError(_("The request is too large or malformed."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    response.data = [{"code": code, "description": text} for text in _descriptions(response.data)]
    if code not in KEPT_STATUSES:
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
