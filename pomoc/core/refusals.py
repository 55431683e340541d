"""Refusals that depend on the data, not on the shape of the request.

A request can be refused for two kinds of reasons. Its shape: a missing field, a wrong type, a NUL
character, a subject too long. The API's OpenAPI schema states every such rule, so a client that
follows the schema never meets one. Or the data as it stands: an id that names nothing (or nothing
usable here), a value that does not suit a custom field as an administrator defined it, a page
cursor that the API never handed out, a certificate that does not parse, a password the password
policy refuses, a change the current state does not allow (a name already taken). No schema can
state those.

Services mark the second kind with one of these codes on their ``ValidationError`` (build them with
the helpers below). The API answers 422 with the code as the error's ``type`` (``value_error`` for
the first kind), so a client can tell "fix your request" from "the data says no" and still sees
which field; pages show the message either way. ``docs/api.md`` lists them.
"""

from django.core.exceptions import ValidationError

INVALID_REFERENCE = "invalid_reference"
"""An id, key or name that names nothing, or something that cannot be used here."""
FIELD_DEFINITION = "field_definition"
"""A value that does not suit the custom field as its definition stands."""
INVALID_CURSOR = "invalid_cursor"
"""A page cursor the API did not hand out (or no longer understands)."""
INVALID_CONTENT = "invalid_content"
"""Text whose form the schema states but only parsing can check (a PEM certificate), or a file whose
content is not of a kind taken (a community post's file)."""
PASSWORD_POLICY = "password_policy"
"""A password the installation's password validators refuse (too common, too like the user's name)."""
CONFLICT = "conflict"
"""The object's current state (or another object's) does not allow the change: a name already
taken, a reply that has not failed sent again, a ticket merged into itself."""

DATA_CODES = frozenset({INVALID_REFERENCE, FIELD_DEFINITION, INVALID_CURSOR, INVALID_CONTENT, PASSWORD_POLICY,
                        CONFLICT})


def refusal(message: str, code: str) -> ValidationError:
    """One message with its code, for a field's list of errors."""
    return ValidationError(message, code=code)


def invalid_reference(field: str, message: str) -> ValidationError:
    return ValidationError({field: refusal(message, INVALID_REFERENCE)})


def conflict(field: str, message: str) -> ValidationError:
    return ValidationError({field: refusal(message, CONFLICT)})
