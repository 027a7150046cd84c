"""OpenAPI: the error answers every operation can give, as two shared components, so a
generated client (and Schemathesis) knows their bodies.

- `FieldErrors` (400, and a 409 without a shape of its own): {field: [message, ...]}; a nested
  field's errors as an object; a problem with the request as a whole as `detail` or
  `non_field_errors`.
- `Error` (401, 403, 404, 405, 410, 413 for a body over API_MAX_BODY_BYTES, ...):
  {"detail": message}. A server error under /api/ is {"detail": message} too, never a page.
Every documented 4xx answer gets a body: one declared without content (OpenApiResponse with a
description only) is given the component that fits its status. Request bodies are documented
with additionalProperties: false (serializers.RefuseUnknownFieldsMixin refuses unknown fields).
"""

ERROR = {
    "type": "object",
    "description": "Why the request was refused, in words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Field errors: {field: [message, ...]}; a nested field's errors as an object of the same "
        "kind; a problem with the request as a whole as detail or non_field_errors."
    ),
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": True}]},
}
COMPONENTS = {"Error": ERROR, "FieldErrors": FIELD_ERRORS}
STANDARD = {
    "400": "Bad input: field errors.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed: not signed in, not a participant, or the second factor is still owed.",
    "404": "No such resource of yours (or not a valid id).",
    "405": "This route does not take that method.",
}
# Only where a request has a body.
WITH_BODY = {"413": "The body is larger than the API takes (API_MAX_BODY_BYTES)."}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def error_component(status):
    return "FieldErrors" if status in ("400", "409") else "Error"


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    # Bodies naming a field the API does not know are refused (serializers.RefuseUnknownFieldsMixin).
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    schemas.update(COMPONENTS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in {**STANDARD, **(WITH_BODY if method in ("put", "post", "patch") else {})}.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith("4") and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref(error_component(status))}}
    return result
