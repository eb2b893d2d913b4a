"""How the OpenAPI schema describes the API: our token authentication, and the errors every
operation can answer.

drf-spectacular documents only the answers a view declares (its 200 or 201, a few 4xx by
hand), so clients and schemathesis met 400, 401, 403 and 404 that the schema never named.
``AutoSchema`` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds them in one place, each from
what REST framework does with the view, not per view:

- 400 where the client sends something to judge: a body, query parameters (filters, page) or
  headers;
- 401 where the view authenticates (a missing, wrong or expired token);
- 403 where a permission is checked (a role the operation is not for; a session still to pass
  its second factor; a session's POST without its CSRF token);
- 404 where the path names an object (out of scope is not found too), or a page past the last;
- 413 and 415 where a body is read (too large; a content type the view does not parse).

A view names the errors only it gives in ``schema_error_statuses`` (409 where a state may not
allow the action, 429 where a limit counts), described here once too. What a view declares
in its own ``extend_schema`` for a status is kept as it is.
"""

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions


class TokenScheme(KnoxTokenScheme):
    """drf-spectacular knows knox's authentication, not a subclass of it: the same header,
    under the scheme name the schema has always used."""

    target_class = "jiufeng.token_auth.TokenAuthentication"
    name = "tokenAuth"


# REST framework's error bodies.
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": '{"field": ["message", ...]}; what concerns no one field under "detail".',
    "additionalProperties": True,
}

# status: (component name, description, body schema)
ERRORS = {
    400: ("BadRequest", "The request is malformed or its values are refused.", FIELD_ERRORS),
    401: ("Unauthorized", "No valid token or session: missing, wrong or expired.", DETAIL),
    403: ("Forbidden", "Not permitted for this user, or the session must first pass its second factor.", DETAIL),
    404: ("NotFound", "No such object in your scope, or no such page.", DETAIL),
    409: ("Conflict", "Not allowed in the current state, or the object changed meanwhile.", DETAIL),
    413: ("PayloadTooLarge", "The request body is too large.", DETAIL),
    415: ("UnsupportedMediaType", "The body's content type is not one this operation reads.", DETAIL),
    429: ("TooManyRequests", "A limit was reached: Retry-After says in how many seconds to try again.", DETAIL),
}

BODY_METHODS = {"POST", "PUT", "PATCH"}


def error_response(status: int) -> OpenApiResponse:
    """One of ERRORS, for an extend_schema that declares it on one method of a view only."""
    _name, description, body = ERRORS[status]
    return OpenApiResponse(response=body, description=description)


class AutoSchema(openapi.AutoSchema):
    # Media type and body schema of each error answer; a view with its own error format
    # (Open311's) gives its own.
    error_media_types = ("application/json",)
    error_component_prefix = ""

    def error_body(self, status: int) -> dict:
        return ERRORS[status][2]

    def error_statuses(self, operation: dict) -> set[int]:
        """The error statuses REST framework answers for this operation (see the module's docstring)."""
        parameters = operation.get("parameters", [])
        has_body = self.method in BODY_METHODS
        statuses = set()
        if has_body or any(parameter["in"] in ("query", "header") for parameter in parameters):
            statuses.add(400)
        if self.view.get_authenticators():
            statuses.add(401)
        if not all(isinstance(permission, permissions.AllowAny) for permission in self.view.get_permissions()):
            statuses.add(403)
        if any(parameter["in"] == "path" for parameter in parameters) or any(
            parameter["name"] == "page" for parameter in parameters
        ):
            statuses.add(404)
        if has_body:
            statuses |= {413, 415}
        return statuses | set(getattr(self.view, "schema_error_statuses", ()))

    def error_ref(self, status: int) -> dict:
        """The status' response component, registered once for the whole schema."""
        name, description, _body = ERRORS[status]
        schema = self.error_body(status)
        component = ResolvedComponent(
            name=f"{self.error_component_prefix}{name}",
            type=ResolvedComponent.RESPONSE,
            object=name,
            schema={
                "description": description,
                "content": {media: {"schema": schema} for media in self.error_media_types},
            },
        )
        self.registry.register_on_missing(component)
        return component.ref

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in sorted(self.error_statuses(operation)):
            responses.setdefault(str(status), self.error_ref(status))
        return operation
