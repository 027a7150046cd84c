"""OpenAPI: the error answers every operation can give, so a client (and Schemathesis) knows them.

400: field errors, {field: [message, ...]}. 401/403: not signed in, not allowed, or the second
factor still owed: {"detail": message}. 404: no such thing of yours (also for an id that is not
a valid id at all): {"detail": message}. 405: a method the route does not take. 413: a body
over API_MAX_BODY_BYTES: {"detail": message}. 500: {"detail": message}, never a page.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": True,
    "description": "Field errors: {field: [message, ...]}, or {detail: message}.",
}
STANDARD = {
    "400": ("Bad input: field errors.", FIELD_ERRORS),
    "401": ("Not signed in, or the token is not valid.", ERROR),
    "403": ("Not allowed: not signed in, not a participant, or the second factor is still owed.", ERROR),
    "404": ("No such resource of yours (or not a valid id).", ERROR),
    "405": ("This route does not take that method.", ERROR),
}
WITH_BODY = {
    "413": ("The body is larger than the API takes (API_MAX_BODY_BYTES).", ERROR),
}


def document_errors(result, generator, request, public):
    # Bodies naming a field the API does not know are refused (serializers.RefuseUnknownFieldsMixin).
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = {**STANDARD, **(WITH_BODY if method in ("put", "post", "patch") else {})}
            for status, (description, schema) in errors.items():
                operation["responses"].setdefault(status, {
                    "description": description, "content": {"application/json": {"schema": schema}}})
    return result
