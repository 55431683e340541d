"""The one REST API instance, /api/v1/: routers, authentication and error shapes."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from pomoc.api import (
    canned,
    community,
    contacts,
    errors,
    inboxes,
    messages,
    orders,
    reports,
    search,
    tags,
    tickets,
    time_entries,
    users,
)
from pomoc.api.auth import API_AUTH

DESCRIPTION = """
Pomoc's REST API. Authenticate with `Authorization: Bearer <token>` (create one with
`pomoc token create USERNAME`) or, from Pomoc's own pages, with the session cookie plus the
`X-CSRFToken` header. Lists return `{"items": [...], "next_cursor": ...}`: pass `cursor` to get the
next page. Errors are JSON with a `detail`; 422 lists every wrong field with its location.
Responses are never cached (`Cache-Control: no-store, private`).
"""

ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Answers every operation can give besides the ones it declares, with the condition they describe.
COMMON_RESPONSES = {
    "401": "Unauthorized: no valid token or session",
    "500": "Internal Server Error: an unexpected failure, logged on the server",
}
BODY_RESPONSES = {
    "400": "Bad Request: the body cannot be parsed (not JSON, not an object)",
    "413": "Content Too Large: the body is over the upload limit",
}
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


class PomocAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        # ninja names the body parameter in each location (["body", "payload", "subject"]); clients
        # only care about the field, the same as in the errors our services raise.
        exc = super().validation_error_from_error_contexts(error_contexts)
        for item in exc.errors:
            loc = list(item["loc"])
            if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
                loc.pop(1)
            item["loc"] = loc
            item.pop("ctx", None)
        return exc

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema plus the errors every operation can answer with (400 and 413 for a body)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                if method not in METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                extra = dict(COMMON_RESPONSES)
                if "requestBody" in operation:
                    extra.update(BODY_RESPONSES)
                for status, description in extra.items():
                    if not operation.get("security") and status == "401":
                        continue
                    responses.setdefault(status, _error_response(description))
        return schema


api = PomocAPI(
    title="Pomoc",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=API_AUTH,
)
errors.install(api)
api.add_router("", tickets.router)
api.add_router("", messages.router)
api.add_router("", contacts.router)
api.add_router("", users.router)
api.add_router("", tags.router)
api.add_router("", search.router)
api.add_router("", inboxes.router)
api.add_router("", reports.router)
api.add_router("", canned.router)
api.add_router("", time_entries.router)
api.add_router("", orders.router)
api.add_router("", community.router)
